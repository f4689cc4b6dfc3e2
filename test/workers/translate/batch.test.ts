// translateBatch: a frame's lines -> its events, with adjacent deltas of one part merged into one event
// (a fast agent's 2,000-line frame is one event, not 2,000; issue 12, docs/performance.md).
import { describe, expect, it } from "vitest";
import { MAX_MERGED_DELTA_LENGTH, translateBatch } from "../../../src/translate/batch.ts";
import type { UIChunk } from "../../../src/translate/chunks.ts";
import { RunTranslator } from "../../../src/translate/translator.ts";

const agent = (stream: string, data: unknown) => JSON.stringify({ event: "agent", stream, data });
const delta = (text: string, itemId?: string) => agent("assistant", { delta: text, ...(itemId ? { itemId } : {}) });
const thinking = (text: string) => agent("thinking", { delta: text });

function started(): RunTranslator {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  return translator;
}

/** The chunks one line at a time, as the translator gives them (no merging). */
function lineByLine(lines: string[]): UIChunk[] {
  const translator = started();
  return lines.flatMap((line) => translator.line(line));
}

const types = (chunks: UIChunk[]) => chunks.map((chunk) => chunk.type);
const textOf = (chunks: UIChunk[]) => chunks.flatMap((chunk) => (chunk.type === "text-delta" ? [chunk.delta] : [])).join("");

describe("translateBatch merges a frame's adjacent deltas", () => {
  it("turns a frame of 2,000 text deltas into one text-delta event with all their text, in order", () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => delta(`w${i} `));
    const batch = translateBatch(started(), lines);
    expect(types(batch.chunks)).toEqual(["text-start", "text-delta"]);
    expect(textOf(batch.chunks)).toBe(textOf(lineByLine(lines)));
    expect(batch.jsons).toEqual(batch.chunks.map((chunk) => JSON.stringify(chunk)));
  });

  it("merges only deltas of the same part that follow each other, and keeps every other event where it was", () => {
    const lines = [
      thinking("hm"),
      thinking("m."),
      delta("a", "item-1"),
      delta("b", "item-1"),
      agent("tool", { phase: "start", toolCallId: "t1", name: "read", args: { path: "x" } }),
      delta("c", "item-2"),
      delta("d", "item-3"), // another item: a new text part
      delta("e", "item-3"),
    ];
    const merged = translateBatch(started(), lines).chunks;
    const single = lineByLine(lines);
    // The same events but for runs of deltas of one part, which become one delta with their text.
    const collapse = (chunks: UIChunk[]) =>
      chunks.reduce<UIChunk[]>((out, chunk) => {
        const last = out.at(-1);
        if (last && (chunk.type === "text-delta" || chunk.type === "reasoning-delta") && last.type === chunk.type && last.id === chunk.id) {
          out[out.length - 1] = { ...last, delta: last.delta + chunk.delta };
        } else out.push(chunk);
        return out;
      }, []);
    expect(merged).toEqual(collapse(single));
    expect(merged.filter((chunk) => chunk.type === "reasoning-delta")).toEqual([{ type: "reasoning-delta", id: expect.any(String), delta: "hmm." }]);
    expect(merged.filter((chunk) => chunk.type === "text-delta").map((chunk) => (chunk as { delta: string }).delta)).toEqual(["ab", "c", "de"]);
  });

  it("starts a new event once a merged delta would pass MAX_MERGED_DELTA_LENGTH", () => {
    const piece = "x".repeat(1_000);
    const lines = Array.from({ length: 100 }, () => delta(piece));
    const deltas = translateBatch(started(), lines).chunks.flatMap((chunk) => (chunk.type === "text-delta" ? [chunk.delta] : []));
    expect(deltas.length).toBe(Math.ceil((100 * piece.length) / MAX_MERGED_DELTA_LENGTH));
    expect(Math.max(...deltas.map((text) => text.length))).toBeLessThanOrEqual(MAX_MERGED_DELTA_LENGTH);
    expect(deltas.join("")).toBe(piece.repeat(100));
  });
});
