// Folds our chunks into the assistant UIMessage exactly as the AI SDK client (`ai` 7) does, so the
// persisted message equals what a browser built live. Differences, on purpose: text parts the agent
// withdrew are dropped (see discarded.ts), and no key is ever set to `undefined` (the SDK's are, which
// JSON drops anyway). apply() mutates in place, O(1) per chunk, and only a part's own keys: what a part
// holds is replaced, never changed, so the messages it gives share it (callers serialize them).
import type { DynamicToolUIPart, JSONValue, ReasoningUIPart, TextUIPart } from "ai";
import { RELAY_METADATA_KEY, type RelayMessageMetadata, type RelayUIMessage, type StatusData, type UIChunk } from "./chunks.ts";
import { isRecord } from "./json.ts";

type Part = RelayUIMessage["parts"][number];
type StatusPart = { type: "data-status"; id: string; data: StatusData };
/** A dynamic tool part while it changes state; its shape is a DynamicToolUIPart once JSON-serialized. */
type ToolPart = {
  type: "dynamic-tool";
  toolName: string;
  toolCallId: string;
  state: DynamicToolUIPart["state"];
  input?: JSONValue;
  output?: JSONValue;
  errorText?: string;
  preliminary?: boolean;
  /** Set by an approval request, answered by a response, kept through later states (as the SDK does). */
  approval?: { id: string; approved?: boolean; reason?: string };
};

export class MessageAccumulator {
  #parts: Part[] = [];
  #id: string;
  #metadata: RelayMessageMetadata | undefined;
  #openText = new Map<string, TextUIPart>();
  #openReasoning = new Map<string, ReasoningUIPart>();
  #tools = new Map<string, ToolPart>();
  #dataParts = new Map<string, StatusPart>();

  constructor(messageId: string) {
    this.#id = messageId;
  }

  /**
   * The message as it would be after `pending` chunks, without changing this accumulator (a run's end
   * is folded into a copy, stored, and only then adopted). O(number of parts).
   */
  messageWith(pending: readonly UIChunk[]): RelayUIMessage {
    const copy = new MessageAccumulator(this.#id);
    // Each part is copied, for apply() sets and deletes a part's own keys; what a part holds (its text,
    // a tool's input or output, the metadata) is shared, for apply() only ever replaces those. A
    // structuredClone of the state copied a long answer's text twice over: ~8 ms of a 100,000-delta
    // run's end in workerd (scripts/bench/workerd-profile.ts).
    const copies = new Map<object, object>(this.#parts.map((part) => [part, { ...part }]));
    copy.#parts = [...copies.values()] as Part[];
    copy.#metadata = this.#metadata;
    copy.#openText = pointedAt(this.#openText, copies);
    copy.#openReasoning = pointedAt(this.#openReasoning, copies);
    copy.#tools = pointedAt(this.#tools, copies);
    copy.#dataParts = pointedAt(this.#dataParts, copies);
    for (const chunk of pending) copy.apply(chunk);
    // The copy is this call's own: its message needs no second copy.
    return copy.#message();
  }

  apply(chunk: UIChunk): void {
    switch (chunk.type) {
      case "start":
        this.#id = chunk.messageId;
        this.#mergeMetadata(chunk.messageMetadata);
        return;
      case "message-metadata":
      case "finish":
        this.#mergeMetadata(chunk.messageMetadata);
        return;
      case "text-start":
        this.#openPart(this.#openText, chunk.id, { type: "text", text: "", state: "streaming" });
        return;
      case "text-delta":
        this.#open(this.#openText, chunk).text += chunk.delta;
        return;
      case "text-end": {
        const part = this.#closePart(this.#openText, chunk);
        if (chunk.providerMetadata?.[RELAY_METADATA_KEY].discarded) {
          // Withdrawn text never reaches the persisted message. Rare, so the linear search is fine.
          this.#parts.splice(this.#parts.lastIndexOf(part), 1);
        }
        return;
      }
      case "reasoning-start":
        this.#openPart(this.#openReasoning, chunk.id, { type: "reasoning", id: chunk.id, text: "", state: "streaming" });
        return;
      case "reasoning-delta":
        this.#open(this.#openReasoning, chunk).text += chunk.delta;
        return;
      case "reasoning-end":
        this.#closePart(this.#openReasoning, chunk);
        return;
      case "tool-input-start": {
        // Like the SDK, a repeated start for the same call updates its part instead of adding one.
        const part = this.#tools.get(chunk.toolCallId);
        if (part) {
          setToolState(part, "input-streaming");
          part.toolName = chunk.toolName;
          delete part.input;
        } else {
          const fresh: ToolPart = {
            type: "dynamic-tool",
            toolName: chunk.toolName,
            toolCallId: chunk.toolCallId,
            state: "input-streaming",
          };
          this.#tools.set(chunk.toolCallId, fresh);
          this.#parts.push(fresh as Part);
        }
        return;
      }
      case "tool-input-available": {
        let part = this.#tools.get(chunk.toolCallId);
        if (!part) {
          part = { type: "dynamic-tool", toolName: chunk.toolName, toolCallId: chunk.toolCallId, state: "input-available" };
          this.#tools.set(chunk.toolCallId, part);
          this.#parts.push(part as Part);
        }
        setToolState(part, "input-available");
        part.toolName = chunk.toolName;
        part.input = chunk.input;
        return;
      }
      case "tool-output-available": {
        const part = this.#tool(chunk.toolCallId);
        setToolState(part, "output-available");
        part.output = chunk.output;
        if (chunk.preliminary) part.preliminary = true;
        return;
      }
      case "tool-output-error": {
        const part = this.#tool(chunk.toolCallId);
        setToolState(part, "output-error");
        part.errorText = chunk.errorText;
        return;
      }
      case "tool-approval-request": {
        // Like the SDK: only the state and the approval change.
        const part = this.#tool(chunk.toolCallId);
        part.state = "approval-requested";
        part.approval = { id: chunk.approvalId };
        return;
      }
      case "tool-approval-response": {
        const part = [...this.#tools.values()].find((tool) => tool.approval?.id === chunk.approvalId);
        if (!part) throw new Error(`MessageAccumulator: no tool invocation with approvalId "${chunk.approvalId}"`);
        part.state = "approval-responded";
        part.approval = { id: chunk.approvalId, approved: chunk.approved, ...(chunk.reason !== undefined ? { reason: chunk.reason } : {}) };
        return;
      }
      case "tool-output-denied":
        this.#tool(chunk.toolCallId).state = "output-denied";
        return;
      case "data-status": {
        const key = `${chunk.type}\u0000${chunk.id}`;
        const existing = this.#dataParts.get(key);
        if (existing) {
          existing.data = chunk.data;
        } else {
          const part: StatusPart = { type: chunk.type, id: chunk.id, data: chunk.data };
          this.#dataParts.set(key, part);
          this.#parts.push(part);
        }
        return;
      }
    }
  }

  /** The assistant message so far: parts in order, metadata merged. A copy (see messageWith). */
  message(): RelayUIMessage {
    return this.messageWith([]);
  }

  /** The message, sharing this accumulator's parts. */
  #message(): RelayUIMessage {
    return {
      id: this.#id,
      role: "assistant",
      ...(this.#metadata === undefined ? {} : { metadata: this.#metadata }),
      parts: this.#parts,
    };
  }

  /** The chunk ids of the text and reasoning parts still open, by their index in message().parts. */
  openPartIds(): Record<string, string> {
    const ids: Record<string, string> = {};
    for (const open of [this.#openText, this.#openReasoning]) {
      for (const [id, part] of open) ids[String(this.#parts.indexOf(part))] = id;
    }
    return ids;
  }

  #openPart<P extends TextUIPart | ReasoningUIPart>(open: Map<string, P>, id: string, part: P): void {
    open.set(id, part);
    this.#parts.push(part);
  }

  #closePart<P extends TextUIPart | ReasoningUIPart>(open: Map<string, P>, chunk: { type: string; id: string }): P {
    const part = this.#open(open, chunk);
    open.delete(chunk.id);
    part.state = "done";
    return part;
  }

  #open<P>(open: Map<string, P>, chunk: { type: string; id: string }): P {
    const part = open.get(chunk.id);
    if (!part) throw new Error(`MessageAccumulator: ${chunk.type} for a part that is not open (id "${chunk.id}")`);
    return part;
  }

  #tool(toolCallId: string): ToolPart {
    const part = this.#tools.get(toolCallId);
    if (!part) throw new Error(`MessageAccumulator: no tool invocation with toolCallId "${toolCallId}"`);
    return part;
  }

  #mergeMetadata(metadata: RelayMessageMetadata): void {
    this.#metadata = (this.#metadata ? deepMerge(this.#metadata, metadata) : metadata) as RelayMessageMetadata;
  }
}

/** The same map, its parts replaced by their copies. */
function pointedAt<P extends object>(map: ReadonlyMap<string, P>, copies: ReadonlyMap<object, object>): Map<string, P> {
  return new Map([...map].map(([key, part]) => [key, copies.get(part) as P]));
}

/** A new state clears what the previous one carried, as the SDK's updateDynamicToolPart does. */
function setToolState(part: ToolPart, state: ToolPart["state"]): void {
  part.state = state;
  delete part.output;
  delete part.errorText;
  delete part.preliminary;
}

/** The SDK's mergeObjects for JSON values: objects merge recursively, anything else replaces. */
function deepMerge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const result = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const current = result[key];
    result[key] = isRecord(value) && isRecord(current) ? deepMerge(current, value) : value;
  }
  return result;
}
