// Hostile agent output against the pure modules (translator, batch translation, accumulator, stderr
// matching): issue 9, findings 1, 2 and 10. The same inputs through the session object are in
// hostile-session.test.ts.
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../protocol/limits.ts";
import { MessageAccumulator } from "../../src/translate/accumulator.ts";
import { errorFromStderr } from "../../src/translate/agent-errors.ts";
import { translateBatch } from "../../src/translate/batch.ts";
import type { UIChunk } from "../../src/translate/chunks.ts";
import { jsonNestingExceeds, jsonValueNestingExceeds } from "../../src/translate/json.ts";
import { RunTranslator } from "../../src/translate/translator.ts";

const agent = (stream: string, data: unknown) => JSON.stringify({ event: "agent", stream, data });
/** `levels` nested objects and arrays alternating: 3 bytes a level, so 3,000 levels are ~9 KB. */
const nested = (levels: number) => '[{"a":'.repeat(levels >> 1) + (levels % 2 ? "[]" : "1") + "}]".repeat(levels >> 1);
const rawAgent = (stream: string, dataJson: string) => `{"event":"agent","stream":"${stream}","data":${dataJson}}`;
const deepToolStart = (levels: number, id = "t1") => rawAgent("tool", `{"phase":"start","toolCallId":"${id}","name":"fetch","args":{"json":${nested(levels)}}}`);
const deepToolResult = (levels: number, id = "t1") => rawAgent("tool", `{"phase":"result","toolCallId":"${id}","name":"fetch","result":{"details":{"json":${nested(levels)}}}}`);

function started(): RunTranslator {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  return translator;
}

const textOf = (chunks: UIChunk[]) => chunks.flatMap((chunk) => (chunk.type === "text-delta" ? [chunk.delta] : [])).join("");

describe("finding 1: deeply nested agent lines", () => {
  it.each([3_000, 1_500, MAX_JSON_DEPTH + 1])("skips a tool call and a tool result nested %i levels with a visible note; everything after works", (levels) => {
    const translator = started();
    const accumulator = new MessageAccumulator("m");
    const chunks: UIChunk[] = [];
    for (const line of [agent("assistant", { delta: "before " }), deepToolStart(levels), deepToolResult(levels), agent("assistant", { delta: "after" })]) {
      chunks.push(...translator.line(line));
    }
    chunks.push(...translator.end({ exit: { code: 0, signal: null, stderrTail: "" } }));
    // Every chunk can be stored and sent, the message can be built and copied: nothing walks the deep value.
    const jsons = chunks.map((chunk) => JSON.stringify(chunk));
    for (const json of jsons) accumulator.apply(JSON.parse(json));
    const message = accumulator.message();
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
    const note = `[error] Skipped an agent line: it nests deeper than ${MAX_JSON_DEPTH} levels.`;
    expect(textOf(chunks)).toBe(`before ${note}${note}after`);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "completed", skippedLines: 2 } });
  });

  it("keeps a tool call nested exactly MAX_JSON_DEPTH levels deep, brackets inside strings not counted", () => {
    // {"event":...,"data":{...,"args":{"json":[...]}}} is 3 levels before the array.
    const translator = started();
    const chunks = translator.line(deepToolStart(MAX_JSON_DEPTH - 3));
    expect(chunks.find((chunk) => chunk.type === "tool-input-available")).toBeDefined();
    expect(jsonNestingExceeds(JSON.stringify({ text: "[".repeat(10_000) + '\\"{' }), 2)).toBe(false);
    expect(jsonNestingExceeds(nested(3), 2)).toBe(true);
    // Few brackets in all: no scan needed; as many as the bound, in strings or side by side: not nested.
    expect(jsonNestingExceeds(nested(2), 2)).toBe(false);
    expect(jsonNestingExceeds(JSON.stringify([[], [], [], {}]), 2)).toBe(false);
    expect(jsonNestingExceeds(JSON.stringify({ a: [[{}]] }), 3)).toBe(true);
    expect(jsonValueNestingExceeds(JSON.parse(nested(10_000)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonValueNestingExceeds({ a: [{ b: [1] }] }, 4)).toBe(false);
  });

  it("a translator that throws midway loses that line only, with a visible note, and no half-applied state", () => {
    // The one test double here: the real translator, made to throw after it has changed its state (as a
    // bug would), to show that translateBatch rolls back to the frame's start and redoes the lines before.
    class ThrowsAfterChanging extends RunTranslator {
      override line(line: string): UIChunk[] {
        const out = super.line(line);
        if (line.includes("explode")) throw new RangeError("Maximum call stack size exceeded");
        return out;
      }
      override copy(): RunTranslator {
        return new ThrowsAfterChanging({ messageId: "m", runId: "r", snapshot: this.snapshot() });
      }
    }
    const from = new ThrowsAfterChanging({ messageId: "m", runId: "r" });
    from.start();
    const before = from.snapshot();
    const explode = agent("tool", { phase: "start", toolCallId: "t", name: "explode", args: {} });
    const lines = [agent("assistant", { delta: "a" }), explode, agent("assistant", { delta: "b" }), explode, agent("assistant", { delta: "c" })];
    const batch = translateBatch(from, lines);
    expect(from.snapshot()).toEqual(before); // the run's own translator never moved
    const note = "[error] Skipped an agent line: the relay could not translate it (RangeError: Maximum call stack size exceeded).";
    expect(textOf(batch.chunks)).toBe(`a${note}b${note}c`);
    // No trace of the half-translated tool calls: state and chunks are what the good lines and skips make.
    expect(batch.chunks.some((chunk) => chunk.type.startsWith("tool-"))).toBe(false);
    const expected = started();
    expected.line(lines[0]!);
    expected.skip("x");
    expected.line(lines[2]!);
    expected.skip("x");
    expected.line(lines[4]!);
    expect(batch.translator.snapshot()).toEqual(expected.snapshot());
    expect(JSON.parse(JSON.stringify(batch.translator.snapshot()))).toEqual(expected.snapshot());
    const accumulator = new MessageAccumulator("m");
    for (const json of batch.jsons) accumulator.apply(JSON.parse(json));
    expect(accumulator.message().parts).toHaveLength(5);
  });

  it("a deeply nested tool call can neither break the message copy nor its serialization", () => {
    const translator = started();
    const accumulator = new MessageAccumulator("m");
    for (const chunk of translateBatch(translator, [deepToolStart(3_000), agent("assistant", { delta: "x" })]).chunks) accumulator.apply(chunk);
    expect(() => structuredClone(accumulator.message())).not.toThrow();
    expect(() => accumulator.messageWith([])).not.toThrow();
  });
});

describe("finding 2: status and usage lines replace, never grow", () => {
  it("200 KB of usage and compaction-retry lines give output linear in their size", () => {
    const lines: string[] = [agent("compaction", { phase: "start" })];
    let inputBytes = 0;
    let lastTokens = 0;
    for (let i = 0; inputBytes < 200 * 1024; i++) {
      // A usage line naming a new field each time (a cumulative object re-sent whole would be quadratic),
      // and compaction ends that keep retrying (an appended note would be quadratic).
      const line = i % 2 === 0 ? agent("usage", { [`field${i}`]: i, outputTokens: (lastTokens = i) }) : agent("compaction", { phase: "end", willRetry: true });
      lines.push(line);
      inputBytes += line.length;
    }
    const translator = started();
    let outputBytes = 0;
    for (const line of lines) for (const chunk of translator.line(line)) outputBytes += JSON.stringify(chunk).length;
    const end = translator.end({ exit: { code: 0, signal: null, stderrTail: "" } });
    outputBytes += end.reduce((sum, chunk) => sum + JSON.stringify(chunk).length, 0);
    expect(outputBytes).toBeLessThanOrEqual(2 * inputBytes);
    const accumulator = new MessageAccumulator("m");
    for (const chunk of end) accumulator.apply(chunk);
    const status = translator.snapshot().status!;
    expect(status.text).toBe("Optimizing session context...\nRetrying with compacted context...");
    expect(translator.snapshot().usage!.outputTokens).toBe(lastTokens);
    expect(end.at(-1)).toMatchObject({ type: "finish", messageMetadata: { usage: { outputTokens: lastTokens, field0: 0 } } });
  });
});

describe("finding 10: stderr matching is linear", () => {
  it.each([
    ['{"error":{"message":"', undefined],
    ['{"error":{', undefined],
    ['[x] ', undefined],
  ])("200 KB of %j", (unit, _) => {
    const stderr = unit.repeat(Math.ceil((200 * 1024) / unit.length));
    const tail = `${stderr}\nfatal: out of tokens`;
    // No provider JSON completes, so the first line naming an error wins (or the last line).
    const found = errorFromStderr(tail);
    expect(found === "fatal: out of tokens" || found?.startsWith(unit.slice(0, 5))).toBe(true);
    expect(errorFromStderr(`${stderr}\n402 {"error":{"type":"billing","message":"Insufficient funds"}}`)).toBe("Insufficient funds");
  });
});
