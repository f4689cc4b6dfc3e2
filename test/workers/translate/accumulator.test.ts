// The accumulator on its own: withdrawn text, copies, and chunks out of order.
import { expect, it } from "vitest";
import { MessageAccumulator } from "../../../src/translate/accumulator.ts";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { withoutDiscardedParts } from "../../../src/translate/discarded.ts";

it("withoutDiscardedParts removes only the withdrawn text parts", () => {
  const message: RelayUIMessage = {
    id: "m",
    role: "assistant",
    parts: [
      { type: "text", text: "withdrawn", state: "done", providerMetadata: { "agent-relay": { discarded: true } } },
      { type: "text", text: "kept", state: "done" },
      { type: "text", text: "other metadata", providerMetadata: { "agent-relay": { other: 1 } } },
      { type: "reasoning", text: "kept too", state: "done" },
    ],
  };
  expect(withoutDiscardedParts(message).parts.map((part) => ("text" in part ? part.text : part.type))).toEqual([
    "kept",
    "other metadata",
    "kept too",
  ]);
  expect(message.parts).toHaveLength(4);
});

it("message() is a copy: applying more chunks does not change a message already taken", () => {
  const accumulator = new MessageAccumulator("m");
  accumulator.apply({ type: "text-start", id: "t" });
  accumulator.apply({ type: "text-delta", id: "t", delta: "one" });
  const taken = accumulator.message();
  accumulator.apply({ type: "text-delta", id: "t", delta: " two" });
  accumulator.apply({ type: "text-end", id: "t" });
  expect(taken.parts).toEqual([{ type: "text", text: "one", state: "streaming" }]);
  expect(accumulator.message().parts).toEqual([{ type: "text", text: "one two", state: "done" }]);
});

it("metadata merges deeply, as the AI SDK client merges it", () => {
  const accumulator = new MessageAccumulator("m");
  accumulator.apply({ type: "start", messageId: "m2", messageMetadata: { runId: "r", status: "running" } });
  accumulator.apply({ type: "message-metadata", messageMetadata: { usage: { inputTokens: 3 } } });
  accumulator.apply({ type: "message-metadata", messageMetadata: { usage: { outputTokens: 5 } } });
  accumulator.apply({ type: "finish", finishReason: "stop", messageMetadata: { status: "completed" } });
  expect(accumulator.message()).toEqual({
    id: "m2",
    role: "assistant",
    metadata: { runId: "r", status: "completed", usage: { inputTokens: 3, outputTokens: 5 } },
    parts: [],
  });
});

it("refuses deltas for parts that are not open and outputs for unknown tools", () => {
  const accumulator = new MessageAccumulator("m");
  expect(() => accumulator.apply({ type: "text-delta", id: "nope", delta: "x" })).toThrow(/text-delta for a part that is not open/);
  expect(() => accumulator.apply({ type: "reasoning-end", id: "nope" })).toThrow(/reasoning-end/);
  expect(() =>
    accumulator.apply({ type: "tool-output-available", toolCallId: "nope", output: {}, dynamic: true }),
  ).toThrow(/no tool invocation/);
});
