// A browser's view of a run, in Node: reads the SSE stream, remembers the last event id, and when the
// stream breaks re-attaches with Last-Event-ID until [DONE], as a careful client does. Also the AI SDK's
// own consumer, to check what a real client builds from the same bytes.
import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, validateUIMessages, type UIMessage } from "ai";

export interface SseEvent {
  id: number | null;
  data: string;
}

/**
 * Parses SSE events from a byte stream, calling `onEvent` for each; `onEvent` may return true to stop
 * reading. Returns whether [DONE] was seen.
 */
export async function collectEvents(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => boolean | void): Promise<boolean> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: number | null = null;
        let data: string | null = null;
        for (const line of block.split("\n")) {
          if (line.startsWith("id: ")) id = Number(line.slice(4));
          else if (line.startsWith("data: ")) data = line.slice(6);
        }
        if (data === null) continue;
        const stop = onEvent({ id, data });
        if (data === "[DONE]") return true;
        if (stop === true) {
          await reader.cancel().catch(() => {});
          return false;
        }
      }
    }
  } catch {
    return false;
  } finally {
    reader.releaseLock();
  }
}

/** The text a stream's text-delta chunks carry, read to [DONE] (or the end). */
export async function streamText(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  await collectEvents(body, (event) => {
    if (event.data === "[DONE]") return;
    const chunk = JSON.parse(event.data) as { type: string; delta?: string };
    if (chunk.type === "text-delta") text += chunk.delta;
  });
  return text;
}

/**
 * Reads a run to its end through any number of drops: each time the stream breaks, waits a moment and
 * resumes with Last-Event-ID. Returns every event received, in order, and how many re-attaches it took.
 */
export async function readRunResiliently(
  first: Response,
  resume: (lastEventId: number) => Promise<Response>,
  maxAttempts = 50,
): Promise<{ events: SseEvent[]; reattached: number }> {
  const events: SseEvent[] = [];
  let lastId = 0;
  let response = first;
  for (let attempt = 0; attempt <= maxAttempts; attempt++) {
    if (response.status === 200 && response.body) {
      const done = await collectEvents(response.body, (event) => {
        events.push(event);
        if (event.id !== null) lastId = event.id;
      });
      if (done) return { events, reattached: attempt };
    } else if (response.status === 204) {
      throw new Error("the run ended longer ago than the grace period before the reader came back");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    response = await resume(lastId).catch(() => new Response(null, { status: 599 }));
  }
  throw new Error(`stream did not reach [DONE] after ${maxAttempts} re-attaches`);
}

/** The parts of an AI SDK version this reader needs (the current `ai`, or `ai-v6` for the strict 6.0.230). */
export interface AiSdk {
  parseJsonEventStream: typeof parseJsonEventStream;
  uiMessageChunkSchema: unknown;
  readUIMessageStream: (options: { stream: ReadableStream<unknown>; terminateOnError: boolean }) => AsyncIterable<unknown>;
  validateUIMessages: (options: { messages: unknown[] }) => Promise<unknown>;
}

const CURRENT_SDK: AiSdk = { parseJsonEventStream, uiMessageChunkSchema, readUIMessageStream, validateUIMessages } as AiSdk;

/** The message an AI SDK client builds from an SSE byte stream, validated like a client would. */
export async function consumeStream(stream: ReadableStream<Uint8Array>, sdk: AiSdk = CURRENT_SDK): Promise<UIMessage> {
  const parsed = sdk.parseJsonEventStream({ stream, schema: sdk.uiMessageChunkSchema as Parameters<typeof parseJsonEventStream>[0]["schema"] });
  const chunks = parsed.pipeThrough(
    new TransformStream<{ success: true; value: unknown } | { success: false; error: unknown }, unknown>({
      transform(result, controller) {
        if (!result.success) throw result.error;
        controller.enqueue(result.value);
      },
    }),
  );
  let last: unknown;
  for await (const message of sdk.readUIMessageStream({ stream: chunks, terminateOnError: true })) last = message;
  if (!last) throw new Error("the stream built no message");
  await sdk.validateUIMessages({ messages: [last] });
  return last as UIMessage;
}

/** The same, from events already read. */
export function consumeWithAiSdk(events: SseEvent[], sdk?: AiSdk): Promise<UIMessage> {
  const text = events.map((event) => `${event.id === null ? "" : `id: ${event.id}\n`}data: ${event.data}\n\n`).join("");
  return consumeStream(new Response(text).body!, sdk);
}

export function eventIds(events: SseEvent[]): number[] {
  return events.filter((event) => event.id !== null).map((event) => event.id!);
}
