// The page's side of "resume with only what it missed": what the transport holds of a run (RunCursor),
// how it continues a stream from the relay's Last-Event-ID answer, and how a reloaded snapshot is
// continued. Messages are built by the AI SDK's own reader (readUIMessageStream) and the relay's own
// accumulator, never by hand.
import { readUIMessageStream, type UIMessageChunk } from "ai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MessageAccumulator } from "../../../src/translate/accumulator.ts";
import type { RelayUIMessage, UIChunk } from "../../../src/translate/chunks.ts";
import { createRelayTransport } from "../../../web/src/chat/relay-transport.ts";
import { RunCursor } from "../../../web/src/chat/run-cursor.ts";
import type { StreamEvent } from "../../../web/src/chat/stream-watch.ts";

/** A run with every kind of part the relay sends, ids as the relay's SSE numbers them (from 11). */
const RUN: UIChunk[] = [
  { type: "start", messageId: "assistant-r1", messageMetadata: { runId: "r1", status: "running" } },
  { type: "data-status", id: "r1-status", data: { text: "Preparing response...", active: true } },
  { type: "reasoning-start", id: "reasoning-1" },
  { type: "reasoning-delta", id: "reasoning-1", delta: "let me " },
  { type: "reasoning-delta", id: "reasoning-1", delta: "think" },
  { type: "reasoning-end", id: "reasoning-1" },
  { type: "data-status", id: "r1-status", data: { text: "Preparing response...", active: false } },
  { type: "text-start", id: "text-2" },
  { type: "text-delta", id: "text-2", delta: "Let me " },
  { type: "text-delta", id: "text-2", delta: "look. " },
  { type: "text-end", id: "text-2" },
  { type: "tool-input-start", toolCallId: "call-1", toolName: "exec", dynamic: true },
  { type: "tool-input-available", toolCallId: "call-1", toolName: "exec", input: { command: "ls" }, dynamic: true },
  { type: "tool-output-available", toolCallId: "call-1", output: { text: "a" }, dynamic: true, preliminary: true },
  { type: "tool-output-available", toolCallId: "call-1", output: { text: "a\nb" }, dynamic: true },
  { type: "text-start", id: "text-3" },
  ...Array.from({ length: 20 }, (_, i): UIChunk => ({ type: "text-delta", id: "text-3", delta: `word${i} ` })),
  { type: "message-metadata", messageMetadata: { usage: { outputTokens: 20 } } },
  { type: "text-delta", id: "text-3", delta: "end." },
  { type: "text-end", id: "text-3" },
  { type: "finish", finishReason: "stop", messageMetadata: { status: "completed", exitCode: 0 } },
];
const FIRST_ID = 11;
const idOf = (index: number) => String(FIRST_ID + index);

/** The relay's side: its accumulator folded the first `cut` chunks, and history() adds where it stands. */
function streamingSnapshot(cut: number): RelayUIMessage {
  const accumulator = new MessageAccumulator("assistant-r1");
  for (const chunk of RUN.slice(0, cut)) accumulator.apply(chunk);
  const message = accumulator.message();
  return {
    ...message,
    metadata: { ...message.metadata, streaming: true, resume: { eventId: FIRST_ID + cut - 1, openPartIds: accumulator.openPartIds() } },
  };
}

/** The message the AI SDK builds from `chunks`. */
async function sdkMessage(chunks: UIMessageChunk[]): Promise<unknown> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: unknown;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return JSON.parse(JSON.stringify(last));
}

function sse(chunks: UIMessageChunk[], firstIndex: number): string {
  return chunks.map((chunk, i) => `id: ${idOf(firstIndex + i)}\ndata: ${JSON.stringify(chunk)}\n\n`).join("");
}

async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

afterEach(() => vi.unstubAllGlobals());

describe("RunCursor", () => {
  it("holds what rebuilds the answer so far, in about one chunk per part, and the last event id", async () => {
    for (const cut of [1, 5, 12, 20, 30, RUN.length]) {
      const cursor = new RunCursor();
      RUN.slice(0, cut).forEach((chunk, i) => cursor.apply(chunk, idOf(i)));
      expect(cursor.lastEventId).toBe(FIRST_ID + cut - 1);
      expect(await sdkMessage(cursor.replay()), `cut after ${cut}`).toEqual(await sdkMessage(RUN.slice(0, cut)));
    }
    const whole = new RunCursor();
    RUN.forEach((chunk, i) => whole.apply(chunk, idOf(i)));
    // Word deltas, status updates and a tool's live output fold away: about one chunk per part.
    expect(whole.replay().map((chunk) => chunk.type)).toEqual([
      "start",
      "data-status",
      ...["reasoning-start", "reasoning-delta", "reasoning-end"],
      ...["text-start", "text-delta", "text-end"],
      ...["tool-input-start", "tool-input-available", "tool-output-available"],
      ...["text-start", "text-delta", "message-metadata", "text-delta", "text-end"],
      "finish",
    ]);
  });

  it("forgets an earlier run when a new one starts", async () => {
    const cursor = new RunCursor();
    RUN.forEach((chunk, i) => cursor.apply(chunk, idOf(i)));
    const next: UIChunk[] = [{ type: "start", messageId: "assistant-r2", messageMetadata: { runId: "r2" } }, { type: "text-start", id: "text-1" }];
    next.forEach((chunk, i) => cursor.apply(chunk, idOf(RUN.length + i)));
    expect(cursor.replay()).toEqual(next);
    expect(cursor.lastEventId).toBe(FIRST_ID + RUN.length + 1);
  });

  it("continues a streaming snapshot from GET /messages with the events after it alone", async () => {
    for (const cut of [3, 9, 14, 25]) {
      const snapshot = streamingSnapshot(cut);
      const cursor = RunCursor.fromSnapshot(snapshot);
      expect(cursor?.lastEventId).toBe(FIRST_ID + cut - 1);
      const continued = [...cursor!.replay(), ...RUN.slice(cut)];
      expect(await sdkMessage(continued), `snapshot after ${cut}`).toEqual(await sdkMessage(RUN));
    }
  });

  it("takes no snapshot of a finished answer or a user message", () => {
    const done: RelayUIMessage = { id: "a", role: "assistant", metadata: { status: "completed", streaming: false }, parts: [] };
    expect(RunCursor.fromSnapshot(done)).toBeNull();
    expect(RunCursor.fromSnapshot({ id: "u", role: "user", parts: [{ type: "text", text: "hi" }] })).toBeNull();
    expect(RunCursor.fromSnapshot(undefined)).toBeNull();
  });
});

describe("the relay transport across a cut", () => {
  it("resumes after the last event it applied and hands the SDK the whole answer, rebuilt locally", async () => {
    const cutAt = 17;
    let delivered = false;
    const seen: Headers[] = [];
    const answers: ((after: number) => Response)[] = [
      // The POST's stream breaks after `cutAt` events.
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (delivered) return controller.error(new TypeError("network error"));
              delivered = true;
              controller.enqueue(new TextEncoder().encode(sse(RUN.slice(0, cutAt), 0)));
            },
          }),
        ),
      // The resume gets only what came after the id it names, as the relay answers.
      (after: number) => new Response(`${sse(RUN.slice(after - FIRST_ID + 1), after - FIRST_ID + 1)}data: [DONE]\n\n`),
    ];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      seen.push(headers);
      return answers.shift()!(Number(headers.get("last-event-id")));
    });
    const events: StreamEvent[] = [];
    const transport = createRelayTransport("secret", (event) => events.push(event));

    const first = await transport.sendMessages({ chatId: "s1", messages: [], trigger: "submit-message", messageId: undefined, abortSignal: undefined });
    await expect(readAll(first)).rejects.toThrow("network error");
    expect(events).toEqual(["attached", "cut"]);

    const resumed = await transport.reconnectToStream({ chatId: "s1" });
    // The last event the page applied: events parsed but not yet read when the error came are gone
    // with the broken stream, and come again after this id.
    const after = Number(seen[1]?.get("last-event-id"));
    expect(after).toBeGreaterThanOrEqual(FIRST_ID);
    expect(after).toBeLessThanOrEqual(FIRST_ID + cutAt - 1);
    expect(seen[1]?.get("authorization")).toBe("Bearer secret");
    const chunks = await readAll(resumed!);
    expect(chunks[0]).toEqual(RUN[0]); // the SDK rebuilds from this start
    expect(await sdkMessage(chunks)).toEqual(await sdkMessage(RUN));
    expect(events).toEqual(["attached", "cut", "attached", "finished"]);
  });

  it("takes a stream that starts a run as it is (an id from an earlier run), and one with nothing new as the answer it holds", async () => {
    const answers = [`${sse(RUN, 0)}data: [DONE]\n\n`, "data: [DONE]\n\n", `${sse(RUN, 100)}data: [DONE]\n\n`];
    const seen: Headers[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit = {}) => {
      seen.push(new Headers(init.headers));
      return new Response(answers.shift()!);
    });
    const transport = createRelayTransport("secret", () => {});

    expect(seen).toEqual([]);
    expect(await readAll((await transport.reconnectToStream({ chatId: "s1" }))!)).toEqual(RUN);
    expect(seen[0]?.get("last-event-id")).toBeNull(); // nothing held yet: from the start
    // Everything was already applied: the relay has nothing after the last id, the answer stands.
    const again = await readAll((await transport.reconnectToStream({ chatId: "s1" }))!);
    expect(seen[1]?.get("last-event-id")).toBe(idOf(RUN.length - 1));
    expect(await sdkMessage(again)).toEqual(await sdkMessage(RUN));
    // A stream opening with `start` is a run from its beginning: nothing held is put before it.
    expect(await readAll((await transport.reconnectToStream({ chatId: "s1" }))!)).toEqual(RUN);
  });

  it("resumes a reloaded page's snapshot after the event it includes", async () => {
    const cut = 20;
    const snapshot = streamingSnapshot(cut);
    const seen: Headers[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit = {}) => {
      seen.push(new Headers(init.headers));
      return new Response(`${sse(RUN.slice(cut), cut)}data: [DONE]\n\n`);
    });
    const transport = createRelayTransport("secret", () => {});
    transport.continueFrom([{ id: "u1", role: "user", parts: [{ type: "text", text: "hi" }] }, snapshot]);

    const chunks = await readAll((await transport.reconnectToStream({ chatId: "s1" }))!);
    expect(seen[0]?.get("last-event-id")).toBe(idOf(cut - 1));
    expect(await sdkMessage(chunks)).toEqual(await sdkMessage(RUN));
  });
});
