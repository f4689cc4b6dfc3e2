// The AI SDK transport for our /api/chat: DefaultChatTransport with the relay token, plus a watch on
// every stream so the page knows when a run's stream was cut and must be resumed.
import { DefaultChatTransport, type ChatTransport } from "ai";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { isRetryableStreamError } from "./retryable.ts";
import { watchStream, type StreamEvent } from "./stream-watch.ts";

export function createRelayTransport(
  token: string,
  onStreamEvent: (event: StreamEvent) => void,
): ChatTransport<RelayUIMessage> {
  const http = new DefaultChatTransport<RelayUIMessage>({
    api: "/api/chat",
    // Sent on the POST and on the resume GET /api/chat/:id/stream alike.
    headers: { authorization: `Bearer ${token}` },
    // The relay persists only the request's last user message and keeps the history itself, so the
    // earlier messages need not travel with every send (and long sessions stay under the body limit).
    // `body`: what a send adds, e.g. a new chat's `hostId`.
    prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body }) => ({
      body: { ...body, id, messages: messages.slice(-1), trigger, messageId },
    }),
  });

  return {
    // The resume GET replays the run from its start (it sends no Last-Event-ID), and the AI SDK
    // rebuilds the assistant message from empty on the replay's first `start` chunk.
    resumeStreamIsReplay: http.resumeStreamIsReplay,
    async sendMessages(options) {
      const stream = await http.sendMessages(options);
      onStreamEvent("attached");
      return watchStream(stream, options.abortSignal, onStreamEvent);
    },
    async reconnectToStream(options) {
      let stream;
      try {
        stream = await http.reconnectToStream(options);
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
