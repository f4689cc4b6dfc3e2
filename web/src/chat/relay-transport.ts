// The AI SDK transport for our /api/chat: the SDK's HTTP transport with the relay token, a stream
// reader that keeps the SSE ids (DefaultChatTransport drops them), and a watch on every stream so the
// page knows when a run's stream was cut and must be resumed.
//
// A resume asks only for what the page missed: it sends Last-Event-ID (the last event this page
// applied, or the one a reloaded snapshot includes), and the relay sends the events after it. The SDK
// rebuilds a resumed answer from scratch (`resumeStreamIsReplay`), so the stream handed to it starts
// with what the page already holds, from memory (RunCursor), then continues with the new events.
import { asSchema, HttpChatTransport, uiMessageChunkSchema, type ChatTransport, type HttpChatTransportInitOptions, type UIMessageChunk } from "ai";
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { isRetryableStreamError } from "./retryable.ts";
import { RunCursor } from "./run-cursor.ts";
import { watchStream, type StreamEvent } from "./stream-watch.ts";

export type RelayTransport = ChatTransport<RelayUIMessage> & {
  /** The session's history was (re)loaded: a still-streaming answer in it is where a resume goes on from. */
  continueFrom(messages: RelayUIMessage[]): void;
};

/** A transport for one chat (the page makes one per session and token), so it holds one run's cursor. */
export function createRelayTransport(token: string, onStreamEvent: (event: StreamEvent) => void): RelayTransport {
  let cursor = new RunCursor();
  const init: HttpChatTransportInitOptions<RelayUIMessage> = {
    api: "/api/chat",
    // Sent on the POST and on the resume GET /api/chat/:id/stream alike.
    headers: { authorization: `Bearer ${token}` },
    // The relay persists only the request's last user message and keeps the history itself, so the
    // earlier messages need not travel with every send (and long sessions stay under the body limit).
    // `body`: what a send adds, e.g. a new chat's `hostId`.
    prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body }) => ({
      body: { ...body, id, messages: messages.slice(-1), trigger, messageId },
    }),
  };

  return {
    resumeStreamIsReplay: true,
    continueFrom(messages) {
      cursor = RunCursor.fromSnapshot(messages.at(-1)) ?? cursor;
    },
    async sendMessages(options) {
      const stream = await new RunStreamTransport(init, cursor).sendMessages(options);
      onStreamEvent("attached");
      return watchStream(stream, options.abortSignal, onStreamEvent);
    },
    async reconnectToStream(options) {
      const after = cursor.lastEventId;
      let stream;
      try {
        stream = await new RunStreamTransport(init, cursor).reconnectToStream({
          ...options,
          headers: after === null ? options.headers : { ...normalize(options.headers), "last-event-id": String(after) },
        });
      } catch (error) {
        if (!options.abortSignal?.aborted && isRetryableStreamError(error)) onStreamEvent("cut");
        throw error;
      }
      if (stream === null) {
        onStreamEvent("no-run");
        return null;
      }
      onStreamEvent("attached");
      return watchStream(stream, options.abortSignal, onStreamEvent);
    },
  };
}

function normalize(headers: Record<string, string> | Headers | undefined): Record<string, string> {
  return headers instanceof Headers ? Object.fromEntries(headers.entries()) : { ...headers };
}

/** One request's transport: the SDK's HTTP side, with a reader that records into the run's cursor. */
class RunStreamTransport extends HttpChatTransport<RelayUIMessage> {
  readonly #cursor: RunCursor;

  constructor(init: HttpChatTransportInitOptions<RelayUIMessage>, cursor: RunCursor) {
    super(init);
    this.#cursor = cursor;
  }

  protected processResponseStream(body: ReadableStream<Uint8Array>): ReadableStream<UIMessageChunk> {
    return readRunStream(body, this.#cursor);
  }
}

const chunkSchema = asSchema(uiMessageChunkSchema);

/** A chunk as the SDK's own transport accepts it (its schema), or the error it would throw. */
async function parseChunk(data: string): Promise<UIMessageChunk> {
  const result = await chunkSchema.validate!(JSON.parse(data));
  if (!result.success) throw result.error;
  return result.value;
}

/**
 * The chunks of one response, each recorded in `cursor` with its SSE id before it is handed on. A
 * response that opens with `start` is a run from its beginning; one that opens with anything else (or
 * has no events: the page had them all) continues what the cursor holds, so the cursor's replay comes
 * first.
 */
export function readRunStream(body: ReadableStream<Uint8Array>, cursor: RunCursor): ReadableStream<UIMessageChunk> {
  const text = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>);
  const events = text.pipeThrough(new EventSourceParserStream()).getReader();
  let first = true;
  return new ReadableStream<UIMessageChunk>({
    async pull(controller) {
      for (;;) {
        const next = await events.read();
        if (next.done) {
          if (first) for (const chunk of cursor.replay()) controller.enqueue(chunk);
          controller.close();
          return;
        }
        if (next.value.data === "[DONE]") continue;
        const chunk = await parseChunk(next.value.data);
        if (first && chunk.type !== "start") for (const held of cursor.replay()) controller.enqueue(held);
        first = false;
        cursor.apply(chunk, next.value.id);
        controller.enqueue(chunk);
        return;
      }
    },
    cancel(reason) {
      return events.cancel(reason);
    },
  });
}
