// The page's side of paged lists (issue 9, findings 4 and 12): the conversation's pages and the session
// list's pages fit together without a gap, a duplicate, or a stale row.
import { describe, expect, it } from "vitest";
import type { ChatSummary } from "../../../web/src/api/relay-api.ts";
import { visibleChats, withLatestPage as withLatestChats, withOlderPage } from "../../../web/src/chat/chat-pages.ts";
import { prependOlder, withLatestPage } from "../../../web/src/chat/history-pages.ts";

const m = (id: string, text = id) => ({ id, text });
const chat = (id: string, updatedAt: number): ChatSummary => ({ id, title: id, updatedAt, status: "completed", hostId: null });

describe("finding 4: the conversation in pages", () => {
  it("finding 4: puts an older page in front, once", () => {
    expect(prependOlder([m("c"), m("d")], [m("a"), m("b"), m("c")]).map((x) => x.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("finding 4: a fresh latest page replaces the newest messages and keeps the older ones loaded", () => {
    const held = [m("a"), m("b"), m("c"), m("d", "streaming")];
    const { messages, joined } = withLatestPage(held, [m("c"), m("d", "final"), m("e")]);
    expect(joined).toBe(true);
    expect(messages).toEqual([m("a"), m("b"), m("c"), m("d", "final"), m("e")]);
  });

  it("finding 4: a latest page that does not meet what is held replaces it all", () => {
    expect(withLatestPage([m("a"), m("b")], [m("x"), m("y")])).toEqual({ messages: [m("x"), m("y")], joined: false });
    expect(withLatestPage([m("a"), m("b")], [])).toEqual({ messages: [], joined: false });
  });
});

describe("finding 12: the session list in pages", () => {
  const first = { chats: [chat("s9", 9), chat("s8", 8), chat("s7", 7)], older: "7.s7" };

  it("finding 12: shows the first page with a way to more, then the older pages after it", () => {
    expect(visibleChats(first, null)).toEqual({ chats: first.chats, more: "7.s7" });
    const older = withOlderPage(null, { chats: [chat("s6", 6), chat("s5", 5)], older: "5.s5" });
    const last = withOlderPage(older, { chats: [chat("s4", 4)], older: null });
    expect(visibleChats(first, last)).toEqual({ chats: [...first.chats, chat("s6", 6), chat("s5", 5), chat("s4", 4)], more: null });
  });

  it("finding 12: a session that becomes active moves up, and the one it pushes off the first page is not lost", () => {
    const older = withOlderPage(null, { chats: [chat("s6", 6), chat("s5", 5)], older: null });
    // s5 ran again: it heads the first page, which now ends at s8; s7 was pushed down.
    const next = { chats: [chat("s5", 10), chat("s9", 9), chat("s8", 8)], older: "8.s8" };
    const held = withLatestChats(older, first, next);
    expect(visibleChats(next, held).chats.map((c) => c.id)).toEqual(["s5", "s9", "s8", "s7", "s6"]);
  });

  it("finding 12: a session deleted from the first page does not come back as an older one", () => {
    const older = withOlderPage(null, { chats: [chat("s6", 6)], older: null });
    const next = { chats: [chat("s9", 9), chat("s7", 7), chat("s6", 6)], older: null }; // s8 deleted
    expect(visibleChats(next, withLatestChats(older, first, next)).chats.map((c) => c.id)).toEqual(["s9", "s7", "s6"]);
  });
});
