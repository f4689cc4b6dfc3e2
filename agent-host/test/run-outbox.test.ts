import { describe, expect, it } from "vitest";
import { hostToEdgeRunFrame, linesFrame } from "../../protocol/host.ts";
import { MAX_FRAME_BYTES, MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { RunOutbox, type OutgoingFrame } from "../src/run-outbox.ts";

const linesOf = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `{"n":${from + i}}`);

/** Every frame from `fromSeq` on, as the link would send them with an unlimited window. */
function drain(outbox: RunOutbox, fromSeq: number): OutgoingFrame[] {
  const frames: OutgoingFrame[] = [];
  for (let frame = outbox.frameFrom(fromSeq); frame; frame = outbox.frameFrom(frame.lastSeq + 1)) frames.push(frame);
  return frames;
}

/** The lines a sequence of frames carries, checked against the protocol schema and for gaps. */
function linesCarried(frames: OutgoingFrame[], firstSeq: number): string[] {
  const lines: string[] = [];
  let expected = firstSeq;
  for (const frame of frames) {
    const parsed = hostToEdgeRunFrame.parse(JSON.parse(frame.text));
    expect(Buffer.byteLength(frame.text)).toBe(frame.bytes);
    if (parsed.type === "exit") continue;
    expect(parsed.firstSeq).toBe(expected);
    lines.push(...parsed.lines);
    expected += parsed.lines.length;
  }
  return lines;
}

describe("RunOutbox", () => {
  it("numbers lines from 1 and gives the exit the next number", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(3));
    outbox.pushExit({ code: 0, signal: null, stderrTail: "" });
    const frames = drain(outbox, 1);
    expect(frames.map((frame) => JSON.parse(frame.text))).toEqual([
      { type: "lines", firstSeq: 1, lines: linesOf(3) },
      { type: "exit", seq: 4, code: 0, signal: null, stderrTail: "" },
    ]);
    expect(outbox.lastSeq).toBe(4);
  });

  it("keeps lines exactly as the agent wrote them, whatever characters they hold", () => {
    const outbox = new RunOutbox();
    const odd = ['{"t":"quote \\" backslash \\\\ tab \\t"}', "not json at all", '{"emoji":"🌍","cjk":"日本"}', "\u2028\u0001"];
    outbox.pushLines(odd);
    expect(linesCarried(drain(outbox, 1), 1)).toEqual(odd);
  });

  it("after an ack, resends only what follows the edge's resume point", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(10));
    outbox.ack(4);
    expect(linesCarried(drain(outbox, 5), 5)).toEqual(linesOf(6, 5));
    // A stale resend request below the ack still starts after the ack.
    expect(outbox.frameFrom(2)?.text).toContain('"firstSeq":5');
    expect(outbox.ackedSeq).toBe(4);
  });

  it("refuses to move the ack backwards and keeps what it still holds", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(5));
    expect(outbox.ack(3)).toBe(true);
    expect(outbox.ack(1)).toBe(false);
    expect(outbox.ackedSeq).toBe(3);
    expect(linesCarried(drain(outbox, 1), 4)).toEqual(linesOf(2, 4));
  });

  it("is delivered only once the exit itself is acknowledged", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(2));
    outbox.pushExit({ code: 1, signal: null, stderrTail: "boom", error: "spawn x ENOENT" });
    outbox.ack(2);
    expect(outbox.delivered).toBe(false);
    expect(JSON.parse(outbox.frameFrom(3)!.text)).toMatchObject({ type: "exit", seq: 3, error: "spawn x ENOENT" });
    outbox.ack(3);
    expect(outbox.delivered).toBe(true);
    expect(outbox.frameFrom(1)).toBeUndefined();
  });

  it("gives the exit of a run without lines sequence number 1", () => {
    const outbox = new RunOutbox();
    outbox.pushExit({ code: null, signal: "SIGTERM", stderrTail: "" });
    expect(JSON.parse(outbox.frameFrom(1)!.text)).toMatchObject({ type: "exit", seq: 1, signal: "SIGTERM" });
  });

  it("batches at most MAX_LINES_PER_FRAME lines per frame", () => {
    const outbox = new RunOutbox();
    const lines = linesOf(MAX_LINES_PER_FRAME * 2 + 5);
    outbox.pushLines(lines);
    const frames = drain(outbox, 1);
    expect(frames.map((frame) => linesFrame.parse(JSON.parse(frame.text)).lines.length)).toEqual([
      MAX_LINES_PER_FRAME,
      MAX_LINES_PER_FRAME,
      5,
    ]);
    expect(linesCarried(frames, 1)).toEqual(lines);
  });

  it("keeps every frame within MAX_FRAME_BYTES", () => {
    const outbox = new RunOutbox();
    const big = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, text: "é\"".repeat(20_000) }));
    outbox.pushLines(big);
    const frames = drain(outbox, 1);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame.bytes).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(linesCarried(frames, 1)).toEqual(big);
  });

  it("replaces a line that no frame could carry once escaped", () => {
    const outbox = new RunOutbox({ maxFrameBytes: 1000 });
    const escapesToTripleSize = "\u0001".repeat(400); // 400 bytes, ~2400 once JSON-escaped
    outbox.pushLines(["before", escapesToTripleSize, "after"]);
    expect(linesCarried(drain(outbox, 1), 1)).toEqual(["before", skippedLineMarker("line-too-long", 400), "after"]);
  });

  it("holds back a frame that is not full unless a partial one is allowed", () => {
    const outbox = new RunOutbox({ maxLinesPerFrame: 3 });
    outbox.pushLines(linesOf(2));
    expect(outbox.frameFrom(1, false)).toBeUndefined();
    expect(outbox.frameFrom(1, true)?.lastSeq).toBe(2);
    outbox.pushLines(linesOf(2, 3));
    expect(outbox.frameFrom(1, false)?.lastSeq).toBe(3);
    // Once the exit is queued no line can join: the last frame goes out as it is.
    outbox.pushExit({ code: 0, signal: null, stderrTail: "" });
    expect(outbox.frameFrom(4, false)?.lastSeq).toBe(4);
  });

  it("asks for a pause at the byte bound and lifts it once acks bring it to half", () => {
    const line = "x".repeat(98); // 101 bytes on the wire with quotes and comma
    const outbox = new RunOutbox({ pauseAtBytes: 1010 });
    outbox.pushLines(Array(9).fill(line));
    expect(outbox.wantsPause).toBe(false);
    outbox.pushLines([line]);
    expect(outbox.unackedBytes).toBe(1010);
    expect(outbox.wantsPause).toBe(true);
    outbox.ack(4); // 606 bytes left: still above half
    expect(outbox.wantsPause).toBe(true);
    outbox.ack(5); // 505: at half
    expect(outbox.wantsPause).toBe(false);
  });

  it("frees acknowledged lines over a long run (memory follows the unacknowledged part only)", () => {
    const outbox = new RunOutbox();
    let seq = 0;
    for (let round = 0; round < 200; round += 1) {
      outbox.pushLines(linesOf(1000, seq + 1));
      seq += 1000;
      outbox.ack(seq - 10);
    }
    expect(outbox.unackedBytes).toBe(linesOf(10, seq - 9).reduce((sum, line) => sum + JSON.stringify(line).length + 1, 0));
    expect(linesCarried(drain(outbox, seq - 9), seq - 9)).toEqual(linesOf(10, seq - 9));
  });
});
