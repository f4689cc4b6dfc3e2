// The accumulator on its own: withdrawn text, copies, and chunks out of order.
import { expect, it } from "vitest";
import { MessageAccumulator } from "../../../src/translate/accumulator.ts";
import type { RelayUIMessage, UIChunk } from "../../../src/translate/chunks.ts";
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

it("messageWith() gives the message after more chunks and leaves the accumulator as it was", () => {
  const filled = () => {
    const accumulator = new MessageAccumulator("m");
    for (const chunk of [
      { type: "start", messageId: "m", messageMetadata: { runId: "r", status: "running", usage: { inputTokens: 3 } } },
      { type: "text-start", id: "t1" },
      { type: "text-delta", id: "t1", delta: "kept" },
      { type: "text-start", id: "t2" },
      { type: "text-delta", id: "t2", delta: "to be withdrawn" },
      { type: "reasoning-start", id: "r1" },
      { type: "reasoning-delta", id: "r1", delta: "hmm" },
      { type: "tool-input-available", toolCallId: "c1", toolName: "exec", input: { command: "ls" }, dynamic: true },
      { type: "tool-approval-request", toolCallId: "c1", approvalId: "a1" },
      { type: "data-status", id: "s", data: { text: "Working", active: true } },
    ] satisfies UIChunk[]) accumulator.apply(chunk);
    return accumulator;
  };
  const pending = [
    { type: "text-delta", id: "t1", delta: " and more" },
    { type: "text-end", id: "t1" },
    { type: "text-end", id: "t2", providerMetadata: { "agent-relay": { discarded: true } } },
    { type: "reasoning-end", id: "r1" },
    { type: "tool-approval-response", approvalId: "a1", approved: true },
    { type: "tool-output-available", toolCallId: "c1", output: { stdout: "a b" }, dynamic: true },
    { type: "tool-input-start", toolCallId: "c2", toolName: "read", dynamic: true },
    { type: "data-status", id: "s", data: { text: "Done", active: false } },
    { type: "finish", finishReason: "stop", messageMetadata: { status: "completed", usage: { outputTokens: 5 } } },
  ] satisfies UIChunk[];
  const accumulator = filled();
  const before = accumulator.message();
  const withPending = accumulator.messageWith(pending);
  expect(accumulator.message()).toEqual(before);
  const applied = filled();
  for (const chunk of pending) applied.apply(chunk);
  expect(withPending).toEqual(applied.message());
  // The accumulator goes on from where it was: the pending chunks apply to it as they did to the copy.
  for (const chunk of pending) accumulator.apply(chunk);
  expect(accumulator.message()).toEqual(applied.message());
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
