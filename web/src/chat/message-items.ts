// What the page shows for one message, derived from its parts: the renderer only draws these.
import type { DynamicToolUIPart } from "ai";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { isDiscardedPart } from "../../../src/translate/discarded.ts";

/** The translator reports errors as self-contained text parts with this prefix. */
const ERROR_PREFIX = "[error] ";

export type MessageItem =
  | { kind: "text"; key: string; text: string; streaming: boolean }
  | { kind: "error"; key: string; text: string }
  | { kind: "reasoning"; key: string; text: string; streaming: boolean }
  | { kind: "tool"; key: string; call: DynamicToolUIPart }
  | { kind: "status"; key: string; text: string };

/**
 * The items in the order they happened, the status note last: it says what the agent is doing now,
 * wherever its part was first placed.
 */
export function messageItems(message: RelayUIMessage): MessageItem[] {
  const items: MessageItem[] = [];
  let status: MessageItem | undefined;
  message.parts.forEach((part, index) => {
    const key = `${message.id}:${index}`;
    switch (part.type) {
      case "text":
        // Withdrawn text (the agent replaced it) is kept by the AI SDK client but not shown.
        if (isDiscardedPart(part)) return;
        if (part.text.startsWith(ERROR_PREFIX)) {
          items.push({ kind: "error", key, text: part.text.slice(ERROR_PREFIX.length) });
        } else {
          items.push({ kind: "text", key, text: part.text, streaming: part.state === "streaming" });
        }
        return;
      case "reasoning":
        items.push({ kind: "reasoning", key, text: part.text, streaming: part.state === "streaming" });
        return;
      case "dynamic-tool":
        items.push({ kind: "tool", key: part.toolCallId, call: part });
        return;
      case "data-status":
        // One status note per run, updated in place; shown only while it applies.
        if (part.data.active) status = { kind: "status", key, text: part.data.text };
        return;
      // step-start and other bookkeeping parts have nothing to show.
    }
  });
  return status ? [...items, status] : items;
}

/** The relay marks the active run's assistant message in `GET /messages` while it is streaming. */
export function isStreamingSnapshot(message: RelayUIMessage | undefined): boolean {
  return (message?.metadata as { streaming?: unknown } | undefined)?.streaming === true;
}
