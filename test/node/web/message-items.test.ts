import { describe, expect, it } from "vitest";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { isStreamingSnapshot, messageItems } from "../../../web/src/chat/message-items.ts";

function assistant(parts: RelayUIMessage["parts"], metadata?: object): RelayUIMessage {
  return { id: "a1", role: "assistant", parts, metadata } as RelayUIMessage;
}

describe("messageItems", () => {
  it("shows reasoning, tool calls and text in the order they happened", () => {
    const items = messageItems(
      assistant([
        { type: "step-start" },
        { type: "reasoning", text: "thinking", state: "done" },
        { type: "dynamic-tool", toolName: "exec", toolCallId: "t1", state: "input-available", input: { command: "ls" } },
        { type: "text", text: "Here you go", state: "streaming" },
      ]),
    );
    expect(items.map((item) => item.kind)).toEqual(["reasoning", "tool", "text"]);
    expect(items[2]).toMatchObject({ kind: "text", text: "Here you go", streaming: true });
  });

  it("hides text the agent withdrew", () => {
    const items = messageItems(
      assistant([
        { type: "text", text: "draft answer", state: "done", providerMetadata: { "agent-relay": { discarded: true } } },
        { type: "text", text: "final answer", state: "done" },
      ]),
    );
    expect(items).toEqual([expect.objectContaining({ kind: "text", text: "final answer" })]);
  });

  it("turns an [error] text part into an error box without the prefix", () => {
    const items = messageItems(assistant([{ type: "text", text: "[error] Agent exited with code 2.", state: "done" }]));
    expect(items).toEqual([expect.objectContaining({ kind: "error", text: "Agent exited with code 2." })]);
  });

  it("keeps text that merely mentions [error] as text", () => {
    const items = messageItems(assistant([{ type: "text", text: "The log said [error] twice.", state: "done" }]));
    expect(items[0]?.kind).toBe("text");
  });

  it("shows the status note last, and only while it applies", () => {
    const active = messageItems(
      assistant([
        { type: "data-status", id: "status", data: { text: "Optimizing session context...", active: true } },
        { type: "text", text: "partial", state: "streaming" },
      ]),
    );
    expect(active.map((item) => item.kind)).toEqual(["text", "status"]);
    expect(active[1]).toMatchObject({ text: "Optimizing session context..." });

    const done = messageItems(
      assistant([{ type: "data-status", id: "status", data: { text: "Preparing response...", active: false } }]),
    );
    expect(done).toEqual([]);
  });
});

describe("isStreamingSnapshot", () => {
  it("recognises the active run's message as GET /messages marks it", () => {
    expect(isStreamingSnapshot(assistant([], { streaming: true }))).toBe(true);
    expect(isStreamingSnapshot(assistant([], { streaming: false }))).toBe(false);
    expect(isStreamingSnapshot(assistant([]))).toBe(false);
    expect(isStreamingSnapshot(undefined)).toBe(false);
  });
});
