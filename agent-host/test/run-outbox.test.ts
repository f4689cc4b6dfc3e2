import { describe, expect, it } from "vitest";
import { parseRunFrame, type HostToEdgeRunFrame } from "../../protocol/host.ts";
import { MAX_FRAME_BYTES, MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { LINE_HOLD_BYTES, RunOutbox, type OutgoingFrame } from "../src/run-outbox.ts";

const linesOf = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `{"n":${from + i}}`);

/** A frame's bytes as the edge reads them: a text message, so valid UTF-8 (the decoder throws otherwise). */
const textOf = (frame: OutgoingFrame) => new TextDecoder("utf-8", { fatal: true }).decode(frame.data);

function parsed(frame: OutgoingFrame): HostToEdgeRunFrame {
  const result = parseRunFrame(textOf(frame));
  if (!result.ok) throw new Error(result.error);
  return result.frame;
}

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
    const carried = parsed(frame);
    if (carried.type === "exit") continue;
    expect(carried.firstSeq).toBe(expected);
    lines.push(...carried.lines);
    expected += carried.lines.length;
  }
  return lines;
}

describe("RunOutbox", () => {
  it("numbers lines from 1 and gives the exit the next number", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(3));
    outbox.pushExit({ code: 0, signal: null, stderrTail: "" });
    const frames = drain(outbox, 1);
    expect(frames.map((frame) => parsed(frame))).toEqual([
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

  it("carries the bytes an agent wrote and the text an adapter made alike, as UTF-8", () => {
    const outbox = new RunOutbox();
    outbox.pushLines([Buffer.from('{"emoji":"🌍"}'), '{"cjk":"日本"}', new TextEncoder().encode('{"é":1}')]);
    expect(linesCarried(drain(outbox, 1), 1)).toEqual(['{"emoji":"🌍"}', '{"cjk":"日本"}', '{"é":1}']);
  });

  it("after an ack, resends only what follows the edge's resume point", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(10));
    outbox.ack(4);
    expect(linesCarried(drain(outbox, 5), 5)).toEqual(linesOf(6, 5));
    // A stale resend request below the ack still starts after the ack.
    expect(textOf(outbox.frameFrom(2)!)).toContain('"firstSeq":5');
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
    expect(parsed(outbox.frameFrom(3)!)).toMatchObject({ type: "exit", seq: 3, error: "spawn x ENOENT" });
    outbox.ack(3);
    expect(outbox.delivered).toBe(true);
    expect(outbox.frameFrom(1)).toBeUndefined();
  });

  it("gives the exit of a run without lines sequence number 1", () => {
    const outbox = new RunOutbox();
    outbox.pushExit({ code: null, signal: "SIGTERM", stderrTail: "" });
    expect(parsed(outbox.frameFrom(1)!)).toMatchObject({ type: "exit", seq: 1, signal: "SIGTERM" });
  });

  it("batches at most MAX_LINES_PER_FRAME lines per frame", () => {
    const outbox = new RunOutbox();
    const lines = linesOf(MAX_LINES_PER_FRAME * 2 + 5);
    outbox.pushLines(lines);
    const frames = drain(outbox, 1);
    expect(frames.map((frame) => (parsed(frame) as { lines: string[] }).lines.length)).toEqual([
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
    for (const frame of frames) expect(frame.data.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(linesCarried(frames, 1)).toEqual(big);
  });

  it("replaces a line that no frame could carry, and one holding a newline (it would end the line on the wire)", () => {
    const outbox = new RunOutbox({ maxFrameBytes: 1000 });
    outbox.pushLines(["before", "\u0001".repeat(990), '{"a":1}\n{"b":2}', "after"]);
    expect(linesCarried(drain(outbox, 1), 1)).toEqual([
      "before",
      skippedLineMarker("line-too-long", 990),
      skippedLineMarker("line-has-newline", 15),
      "after",
    ]);
  });

  it("resends a frame with the lines it first had, even when more lines have joined since", () => {
    const outbox = new RunOutbox();
    outbox.pushLines(linesOf(3));
    const first = outbox.frameFrom(1)!;
    outbox.pushLines(linesOf(4, 4));
    const second = outbox.frameFrom(first.lastSeq + 1)!;
    // The connection drops; the edge's resume point is 0: the same two frames, line for line.
    expect(outbox.frameFrom(1)).toEqual(first);
    expect(outbox.frameFrom(4)).toEqual(second);
    // The edge stored the first: the second comes again as it was, then new lines in a new frame.
    outbox.ack(3);
    outbox.pushLines(linesOf(2, 8));
    expect(outbox.frameFrom(4)).toEqual(second);
    expect(linesCarried([outbox.frameFrom(8)!], 8)).toEqual(linesOf(2, 8));
  });

  it("holds back a frame that is not full unless a partial one is allowed", () => {
    const outbox = new RunOutbox({ maxLinesPerFrame: 3 });
    outbox.pushLines(linesOf(2));
    expect(outbox.frameFrom(1, false)).toBeUndefined();
    expect(outbox.frameFrom(1, true)?.lastSeq).toBe(2); // sent
    outbox.pushLines(linesOf(2, 3));
    expect(outbox.frameFrom(1, false)?.lastSeq).toBe(2); // resent as it was
    expect(outbox.frameFrom(3, false)).toBeUndefined();
    outbox.pushLines(linesOf(1, 5));
    expect(outbox.frameFrom(3, false)?.lastSeq).toBe(5);
    outbox.pushLines(linesOf(1, 6));
    expect(outbox.frameFrom(6, false)).toBeUndefined();
    // Once the exit is queued no line can join: the last frame goes out as it is.
    outbox.pushExit({ code: 0, signal: null, stderrTail: "" });
    expect(outbox.frameFrom(6, false)?.lastSeq).toBe(6);
  });

  it("asks for a pause at the byte bound and lifts it once acks bring it to half", () => {
    const line = "x".repeat(100);
    const held = 100 + LINE_HOLD_BYTES;
    const outbox = new RunOutbox({ pauseAtBytes: 10 * held });
    outbox.pushLines(Array(9).fill(line));
    expect(outbox.wantsPause).toBe(false);
    outbox.pushLines([line]);
    expect(outbox.unackedBytes).toBe(10 * held);
    expect(outbox.wantsPause).toBe(true);
    outbox.ack(4); // 6 lines left: still above half
    expect(outbox.wantsPause).toBe(true);
    outbox.ack(5); // 5: at half
    expect(outbox.wantsPause).toBe(false);
  });

  it("counts what holding a line costs, so tiny lines pause the agent long before their bytes reach the bound", () => {
    const outbox = new RunOutbox({ pauseAtBytes: 1024 * 1024 });
    let lines = 0;
    while (!outbox.wantsPause) {
      outbox.pushLines(Array(1000).fill("{}"));
      lines += 1000;
    }
    // Counting only their 3 wire bytes each, ~350,000 of them would pass before the pause.
    expect(lines).toBeLessThanOrEqual(Math.ceil((1024 * 1024) / (2 + LINE_HOLD_BYTES) / 1000) * 1000);
  });

  it("frees acknowledged lines over a long run (memory follows the unacknowledged part only)", () => {
    const outbox = new RunOutbox();
    let seq = 0;
    for (let round = 0; round < 200; round += 1) {
      outbox.pushLines(linesOf(1000, seq + 1));
      seq += 1000;
      outbox.ack(seq - 10);
    }
    expect(outbox.unackedBytes).toBe(linesOf(10, seq - 9).reduce((sum, line) => sum + line.length + LINE_HOLD_BYTES, 0));
    expect(linesCarried(drain(outbox, seq - 9), seq - 9)).toEqual(linesOf(10, seq - 9));
  });
});
