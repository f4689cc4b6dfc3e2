// What the page holds of a run's stream, so that a cut costs only the events it missed: the chunks
// applied so far (to rebuild the answer locally) and the SSE id of the last one (to ask the relay for
// the rest with Last-Event-ID). Pure: no I/O.
import type { UIMessageChunk } from "ai";
import type { RelayUIMessage, ResumePoint } from "../../../src/translate/chunks.ts";

type Chunk = UIMessageChunk;

export class RunCursor {
  #chunks: Chunk[] = [];
  /** Where each data part (by id) sits in #chunks: an update replaces it in place, as the SDK does. */
  #dataAt = new Map<string, number>();
  /** Where each tool call's latest chunk sits: a tool's output replaces the output before it. */
  #toolAt = new Map<string, number>();
  #lastEventId: number | null = null;

  /** The id of the last event applied; null before any. */
  get lastEventId(): number | null {
    return this.#lastEventId;
  }

  /**
   * Records a chunk the page is about to apply, with its SSE id. A `start` begins a run: whatever was
   * held of an earlier one goes. Consecutive deltas of one part are merged, a data part keeps only its
   * latest value and a running tool only its latest output (live output is sent whole each time), so a
   * rebuild costs about one chunk per part, not one per word, and memory stays about the answer's size.
   */
  apply(chunk: Chunk, eventId: string | undefined): void {
    if (chunk.type === "start") {
      this.#chunks = [];
      this.#dataAt.clear();
      this.#toolAt.clear();
    }
    this.#append(chunk);
    if (eventId !== undefined && /^\d+$/.test(eventId)) this.#lastEventId = Number(eventId);
  }

  /** Chunks that rebuild, from its `start`, the answer as applied so far; empty when none is held. */
  replay(): Chunk[] {
    return this.#chunks[0]?.type === "start" ? [...this.#chunks] : [];
  }

  /**
   * A cursor for an answer the relay is still streaming, as `GET /messages` gave it: chunks that
   * rebuild that snapshot, its still-open parts under the ids the relay will continue them with, and
   * the id of the last event it includes. Null for anything else (a finished answer, a user message).
   */
  static fromSnapshot(message: RelayUIMessage | undefined): RunCursor | null {
    const resume = message?.role === "assistant" && message.metadata?.streaming === true ? message.metadata.resume : undefined;
    if (!message || !resume) return null;
    const cursor = new RunCursor();
    for (const chunk of snapshotChunks(message, resume)) cursor.apply(chunk, undefined);
    cursor.#lastEventId = resume.eventId;
    return cursor;
  }

  #append(chunk: Chunk): void {
    const last = this.#chunks.at(-1);
    if ((chunk.type === "text-delta" || chunk.type === "reasoning-delta") && last?.type === chunk.type && last.id === chunk.id && !chunk.providerMetadata) {
      this.#chunks[this.#chunks.length - 1] = { ...last, delta: last.delta + chunk.delta };
      return;
    }
    if (chunk.type.startsWith("data-") && "id" in chunk && typeof chunk.id === "string" && !("transient" in chunk && chunk.transient)) {
      const key = `${chunk.type}\u0000${chunk.id}`;
      const at = this.#dataAt.get(key);
      if (at !== undefined) {
        this.#chunks[at] = chunk;
        return;
      }
      this.#dataAt.set(key, this.#chunks.length);
    }
    if ("toolCallId" in chunk) {
      const at = this.#toolAt.get(chunk.toolCallId);
      if (chunk.type === "tool-output-available" && at !== undefined && this.#chunks[at]!.type === "tool-output-available") {
        this.#chunks[at] = chunk;
        return;
      }
      this.#toolAt.set(chunk.toolCallId, this.#chunks.length);
    }
    this.#chunks.push(chunk);
  }
}

/** The chunks that make the AI SDK build `message` exactly, leaving the parts in `resume` open. */
export function snapshotChunks(message: RelayUIMessage, resume: ResumePoint): Chunk[] {
  const { streaming: _streaming, resume: _resume, ...metadata } = message.metadata ?? {};
  const chunks: Chunk[] = [{ type: "start", messageId: message.id, messageMetadata: metadata }];
  message.parts.forEach((part, index) => {
    const openId = resume.openPartIds[String(index)];
    const id = openId ?? `snapshot-${index}`;
    switch (part.type) {
      case "text":
        chunks.push({ type: "text-start", id }, { type: "text-delta", id, delta: part.text });
        if (openId === undefined) chunks.push({ type: "text-end", id, ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}) });
        return;
      case "reasoning": {
        // The SDK keeps a reasoning part's id on the part; a text part's only while it streams.
        const id = openId ?? (part as { id?: string }).id ?? `snapshot-${index}`;
        chunks.push({ type: "reasoning-start", id }, { type: "reasoning-delta", id, delta: part.text });
        if (openId === undefined) chunks.push({ type: "reasoning-end", id });
        return;
      }
      case "dynamic-tool": {
        const call = { toolCallId: part.toolCallId, toolName: part.toolName, dynamic: true as const };
        if (part.state === "input-streaming" || part.input === undefined) chunks.push({ type: "tool-input-start", ...call });
        else chunks.push({ type: "tool-input-available", ...call, input: part.input });
        // An approval the part asked for, and its answer: the relay's next chunks may refer to it by its id.
        const approval = part.approval;
        if (approval) chunks.push({ type: "tool-approval-request", approvalId: approval.id, toolCallId: part.toolCallId });
        if (approval?.approved !== undefined) {
          chunks.push({ type: "tool-approval-response", approvalId: approval.id, approved: approval.approved, ...(approval.reason === undefined ? {} : { reason: approval.reason }) });
        }
        if (part.state === "output-denied") chunks.push({ type: "tool-output-denied", toolCallId: part.toolCallId });
        if (part.state === "output-available") {
          chunks.push({ type: "tool-output-available", toolCallId: part.toolCallId, output: part.output, dynamic: true, ...(part.preliminary ? { preliminary: true } : {}) });
        } else if (part.state === "output-error") {
          chunks.push({ type: "tool-output-error", toolCallId: part.toolCallId, errorText: part.errorText, dynamic: true });
        }
        return;
      }
      case "data-status":
        chunks.push({ type: "data-status", id: part.id, data: part.data } as Chunk);
        return;
      default:
        throw new Error(`a streaming snapshot with a part the relay never sends: ${part.type}`);
    }
  });
  return chunks;
}
