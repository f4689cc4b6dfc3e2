// The messages table: a message larger than one SQLite row may hold (2 MB on the platform) is stored
// in pieces and read back whole; replacing it by a smaller one leaves no stale piece behind.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { MessageStore, MESSAGE_PIECE_CHARS, splitIntoPieces } from "../../../src/session/message-store.ts";
import type { SessionObject } from "../../../src/session/session-object.ts";

const answer = (id: string, text: string): UIMessage => ({ id, role: "assistant", parts: [{ type: "text", text }] });

describe("MessageStore", () => {
  it("keeps a 5 MB answer whole, in rows under 2 MB, and shrinks it again cleanly", async () => {
    await runInDurableObject(env.SESSION.getByName("store-1"), (_: SessionObject, state) => {
      const store = new MessageStore(state.storage.sql);
      const all = () => store.page(null, Infinity, 1000)!.ids.map((id) => JSON.parse(store.jsonOf(id)!) as UIMessage);
      // Emoji are surrogate pairs: some cut points fall inside one.
      const big = answer("a1", "tool output 😀 ".repeat(350_000));
      store.upsert({ id: "u1", role: "user", parts: [{ type: "text", text: "hi" }] });
      store.upsert(big);
      expect(all()).toEqual([{ id: "u1", role: "user", parts: [{ type: "text", text: "hi" }] }, big]);
      const largest = state.storage.sql
        .exec<{ bytes: number }>("SELECT MAX(bytes) AS bytes FROM (SELECT LENGTH(CAST(body AS BLOB)) AS bytes FROM messages UNION ALL SELECT LENGTH(CAST(piece AS BLOB)) FROM message_overflow)")
        .one().bytes;
      expect(largest).toBeLessThan(2_000_000);
      store.upsert(answer("a1", "short now"));
      expect(all()[1]).toEqual(answer("a1", "short now"));
      expect(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM message_overflow").one().n).toBe(0);
    });
  });

  it("never cuts a surrogate pair in two", () => {
    const text = "a".repeat(MESSAGE_PIECE_CHARS - 1) + "😀" + "b";
    const pieces = splitIntoPieces(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces[0]!.endsWith("a")).toBe(true);
    expect(pieces[1]!.startsWith("😀")).toBe(true);
  });
});
