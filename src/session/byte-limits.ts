// The byte bounds of what a session object reads, holds or returns at once (design: "bounded by bytes,
// not by counts"). Declared here once; docs/api.md and docs/architecture.md quote them.
import { Buffer } from "node:buffer";

/** Chunk JSON per `events` row. A frame whose chunks pass it is stored as several rows; a single chunk
 * larger than this gets a row of its own (one agent line is at most 256 KiB, so a chunk stays well under
 * the 2 MB a Durable Object's SQLite allows per row). */
export const MAX_EVENT_ROW_BYTES = 256 * 1024;

/** SSE bytes per replay page: a page ends before the row that would take it past this (a page has at least
 * one row). A catch-up reads one page, hands it to its reader and waits; nothing else is held for it. */
export const REPLAY_PAGE_BYTES = 1024 * 1024;

/** SSE bytes queued for one subscriber before a replay waits for its reader to take them. */
export const SUBSCRIBER_HIGH_WATER_BYTES = 256 * 1024;

/** The most a subscriber's queue may hold: a live batch that would take it past this is not queued; the
 * subscriber leaves the live set and catches up from storage instead. So a reader that does not read
 * costs at most its high-water mark plus one page. */
export const MAX_SUBSCRIBER_QUEUE_BYTES = SUBSCRIBER_HIGH_WATER_BYTES + REPLAY_PAGE_BYTES;

/** Message JSON per `GET /api/chat/:id/messages` page (default; the `HISTORY_PAGE_BYTES` var may lower it).
 * Far below the 32 MiB an object call may return: pages are streamed, never one RPC value. A message
 * larger than this is returned alone on its page. */
export const HISTORY_PAGE_BYTES = 4 * 1024 * 1024;

/** SSE framing of one event beyond its JSON: "id: " + up to 16 digits + "\ndata: " + "\n\n". */
export const SSE_EVENT_OVERHEAD_BYTES = 28;

/** UTF-8 bytes of a string (what SQLite stores and what the stream sends). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
