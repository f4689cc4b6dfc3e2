// GET /api/chat/:id/messages answers with a JSON array that is streamed: each message is read (from
// storage, or the running answer from memory) when the reader wants it. So a page, however large, never
// becomes one object-call value (an object call returns 32 MiB at most) and the object holds about one
// message for a reader, not a page.
import { OLDER_MESSAGES_HEADER } from "../../protocol/paging.ts";
import type { HistoryPage } from "./message-store.ts";

const encoder = new TextEncoder();

/** `read` gives a message's JSON by id, or null for one removed since the page was chosen. */
export function historyResponse(page: HistoryPage, read: (id: string) => string | null): Response {
  let next = 0;
  let written = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("["));
    },
    pull(controller) {
      while (next < page.ids.length) {
        const json = read(page.ids[next++]!);
        if (json === null) continue;
        controller.enqueue(encoder.encode(written++ > 0 ? `,${json}` : json));
        return;
      }
      controller.enqueue(encoder.encode("]"));
      controller.close();
    },
  });
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (page.older) headers[OLDER_MESSAGES_HEADER] = "true";
  return new Response(body, { headers });
}
