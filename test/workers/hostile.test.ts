// Hostile input from an agent or a misbehaving host, table-driven: every bad line is skipped and
// counted (or shown as harmless text), every bad frame gets an error, and the good lines around them
// all arrive exactly once, in order, in a stream the real AI SDK consumer accepts. HTTP-side hostile
// input (tokens, bodies, ids, a second run) is covered in auth.test.ts, bad-input.test.ts and
// session/run-lifecycle.test.ts. Issue 9's findings are in hostile-*.test.ts (one title per finding).
import { describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { MAX_LINE_BYTES, MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { encodeLinesFrame } from "../../protocol/host.ts";
import { consumeWithAiSdk } from "../support/sse-reader.ts";
import { api, chunksOf, readSse, sendExit } from "./support/relay-client.ts";
import { startRun, textOf } from "./support/started-run.ts";

const delta = (text: string) => JSON.stringify({ event: "agent", stream: "assistant", data: { delta: text } });

/** Lines the translator must skip and count. */
const SKIPPED_LINES: [string, string][] = [
  ["malformed JSON", '{"event":"agent", "stream":'],
  ["truncated JSON", '{"event":"agent","stream":"assistant","data":{"delta":"lost'],
  ["a number", "42"],
  ["a string", '"just a string"'],
  ["null", "null"],
  ["an array", "[1,2,3]"],
  ["no event field", '{"stream":"assistant","data":{"delta":"x"}}'],
  ["an unknown stream", '{"event":"agent","stream":"telepathy","data":{"delta":"x"}}'],
  ["an unknown event", '{"event":"weather","data":{}}'],
  ["a line over the size limit", delta("x".repeat(MAX_LINE_BYTES + 1))],
];

/** Lines with awkward content that must reach the browser exactly as the agent wrote it. */
const VERBATIM_DELTAS: [string, string][] = [
  ["SSE framing inside a delta", "a\n\ndata: [DONE]\n\nid: 999999\nevent: x\n"],
  ["a [DONE] delta", "[DONE]"],
  ["a carriage return", "one\rtwo\r\n"],
  ["replacement characters from invalid UTF-8", "bad \uFFFD\uFFFD bytes"],
  ["a lone surrogate", "half \uD800 pair"],
  ["HTML", "<script>alert(1)</script><img src=x onerror=alert(1)>"],
  ["a NUL and control characters", "nul\u0000bell\u0007esc\u001b[31m"],
];

describe("hostile agent lines", () => {
  it("skips and counts bad lines, passes awkward text through verbatim, loses no good line", async () => {
    const { sessionId, run, response } = await startRun("hostile-lines");
    const lines: string[] = [];
    const expected: string[] = [];
    for (const [name, line] of SKIPPED_LINES) {
      lines.push(delta(`before ${name}|`), line);
      expected.push(`before ${name}|`);
    }
    for (const [, text] of VERBATIM_DELTAS) {
      lines.push(delta(text));
      expected.push(text);
    }
    let seq = 1;
    for (const line of lines) {
      run.send({ type: "lines", firstSeq: seq, lines: [line] });
      seq += 1;
    }
    // Every line is acknowledged (a store window's lines with one ack), none refused.
    for (let acked = 0; acked < lines.length; ) {
      const frame = await run.nextOfType("ack");
      expect(frame.seq).toBeGreaterThan(acked);
      acked = frame.seq;
    }
    await sendExit(run, seq, 0);
    const events = await readSse(response);
    expect(textOf(chunksOf(events))).toBe(expected.join(""));
    const message = await consumeWithAiSdk(events);
    expect(message.metadata).toMatchObject({ skippedLines: SKIPPED_LINES.length, status: "completed" });
    const stored = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as UIMessage[];
    expect(stored[1]!.parts.filter((part) => part.type === "text").map((part) => (part as { text: string }).text).join("")).toBe(expected.join(""));
  });
});

describe("hostile host frames", () => {
  // [name, frame, the error it gets]. A sequence gap is also answered with the resume point (an ack).
  const BAD_FRAMES: [string, string | Uint8Array, RegExp][] = [
    ["a binary frame", new Uint8Array([0xff, 0xfe, 0x00]), /frames must be text/],
    ["not JSON", "lines 1 2 3", /frame is not JSON/],
    ["an unknown frame type", JSON.stringify({ type: "delete-everything" }), /invalid frame/],
    ["a lines frame of host protocol 2 (lines in a JSON array)", JSON.stringify({ type: "lines", firstSeq: 1, lines: ["x"] }), /invalid frame: a lines frame's lines follow its header line/],
    ["a lines header that is not JSON", "lines 1\nx", /frame is not JSON/],
    ["too many lines in a frame", encodeLinesFrame(1, Array(MAX_LINES_PER_FRAME + 1).fill("x")), /invalid frame: more than 2000 lines/],
    ["a negative sequence number", encodeLinesFrame(-5, ["x"]), /invalid frame: firstSeq/],
    ["a fractional sequence number", encodeLinesFrame(1.5, ["x"]), /invalid frame: firstSeq/],
    ["an exit without a sequence number", JSON.stringify({ type: "exit", code: 0 }), /invalid frame: seq/],
    ["a skipped sequence number", encodeLinesFrame(50, ["x"]), /sequence gap: expected 2, got 50/],
    ["an exit that skips lines", JSON.stringify({ type: "exit", seq: 40, code: 0, signal: null }), /sequence gap: expected 2, got 40/],
    ["a 10 MB frame", encodeLinesFrame(2, ["x".repeat(10 * 1024 * 1024)]), /frame larger than 921600 bytes/],
  ];

  it.each(BAD_FRAMES)("answers %s with an error and keeps the run", async (name, frame, pattern) => {
    const { run, response } = await startRun(`hostile-frame-${BAD_FRAMES.findIndex(([other]) => other === name)}`);
    run.send({ type: "lines", firstSeq: 1, lines: [delta("kept ")] });
    await run.nextOfType("ack");
    run.socket.send(frame);
    const error = await run.nextOfType("error");
    expect(error.fatal).toBe(false);
    expect(error.error).toMatch(pattern);
    if (/sequence gap/.test(error.error)) expect(await run.next()).toEqual({ type: "ack", seq: 1 });
    // A replayed line changes nothing; the next good line is taken.
    run.send({ type: "lines", firstSeq: 1, lines: [delta("kept ")] });
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: 1 });
    run.send({ type: "lines", firstSeq: 2, lines: [delta("and this")] });
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: 2 });
    await sendExit(run, 3, 0);
    expect(textOf(chunksOf(await readSse(response)))).toBe("kept and this");
  });
});
