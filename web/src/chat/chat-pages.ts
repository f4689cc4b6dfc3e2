// The session list arrives in pages (GET /api/chats, newest activity first). The first page is polled;
// older pages are loaded when the person asks for more. A session that becomes active moves to the
// first page, and the sessions it pushes off the first page must not fall between it and the older
// pages already loaded (pure).
import type { ChatPage, ChatSummary } from "../api/relay-api.ts";

/** The older pages loaded so far, and the cursor after them (null: the list is complete). */
export type OlderChats = { chats: ChatSummary[]; cursor: string | null };

const newerFirst = (a: ChatSummary, b: ChatSummary) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Adds the next older page. */
export function withOlderPage(older: OlderChats | null, page: ChatPage): OlderChats {
  const held = new Set(older?.chats.map((chat) => chat.id));
  return { chats: [...(older?.chats ?? []), ...page.chats.filter((chat) => !held.has(chat.id))], cursor: page.older };
}

/**
 * A new first page arrived. Sessions that were on the previous first page and are not on this one
 * were pushed down by newer activity (they go to the older ones) or deleted (a time newer than the new
 * page's last: they would still be on it). Sessions on the new first page leave the older ones.
 */
export function withLatestPage(older: OlderChats | null, previous: ChatPage | undefined, latest: ChatPage): OlderChats | null {
  if (older === null) return null;
  const onLatest = new Set(latest.chats.map((chat) => chat.id));
  const last = latest.chats.at(-1);
  const pushedDown = (previous?.chats ?? []).filter((chat) => !onLatest.has(chat.id) && last !== undefined && newerFirst(last, chat) < 0);
  const held = new Set(older.chats.map((chat) => chat.id));
  const chats = [...older.chats.filter((chat) => !onLatest.has(chat.id)), ...pushedDown.filter((chat) => !held.has(chat.id))];
  return { chats: chats.sort(newerFirst), cursor: older.cursor };
}

/** What the list shows, and the cursor to load more with (null: nothing more). */
export function visibleChats(latest: ChatPage, older: OlderChats | null): { chats: ChatSummary[]; more: string | null } {
  if (older === null) return { chats: latest.chats, more: latest.older };
  const onLatest = new Set(latest.chats.map((chat) => chat.id));
  return { chats: [...latest.chats, ...older.chats.filter((chat) => !onLatest.has(chat.id))], more: older.cursor };
}
