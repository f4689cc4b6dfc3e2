// Hostile sizes (issue 9): what one session object holds or returns at once is bounded by bytes, not by
// counts: event rows and replay pages (finding 3), history pages (finding 4), and every session is
// reachable from the index (finding 12).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { HISTORY_PAGE_BYTES, MAX_EVENT_ROW_BYTES, MAX_SUBSCRIBER_QUEUE_BYTES, REPLAY_PAGE_BYTES } from "../../src/session/byte-limits.ts";
import { MessageStore } from "../../src/session/message-store.ts";
import { RunLog, runLogTable, splitIntoRows } from "../../src/session/run-log.ts";
import type { SessionObject } from "../../src/session/session-object.ts";
import { Subscriber } from "../../src/session/subscriber.ts";
import { encodeEvents } from "../../src/sse.ts";
import { api, chunksOf, readSse, sendExit, sendLines } from "./support/relay-client.ts";
import { startRun, textOf } from "./support/started-run.ts";

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` assistant deltas of `size` characters each, distinguishable by their first characters. */
function bigDeltaLines(n: number, size: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const head = `<${i}>`;
    return JSON.stringify({ event: "agent", stream: "assistant", data: { delta: head + "x".repeat(size - head.length) } });
  });
}

describe("finding 3: a reader that does not read pins memory", () => {
  // 16 frames of four 200 KB deltas: ~12.8 MB of events, every frame near the 900 KiB frame limit.
  const LINES = bigDeltaLines(64, 200_000);

  it("finding 3: a run of big frames is stored in rows of bounded bytes and replayed in pages of bounded bytes", { timeout: 60_000 }, async () => {
    const { sessionId, runId, run, response } = await startRun("bounds-rows");
    await response.body!.cancel();
    await sendExit(run, await sendLines(run, 1, LINES, 4), 0);
    const stub = env.SESSION.getByName(sessionId);
    const { rowBytes, pageBytes, seqs } = await runInDurableObject(stub, (_: SessionObject, state) => {
      const rowBytes = state.storage.sql
        .exec<{ bytes: number }>(`SELECT octet_length(body) AS bytes FROM ${runLogTable(runId)}`)
        .toArray()
        .map((row) => row.bytes);
      const pageBytes: number[] = [];
      const seqs: number[] = [];
      for (const page of new RunLog(state.storage.sql).pages(runId, 0)) {
        pageBytes.push(encoder.encode(encodeEvents(page[0]!.seq, page.map((event) => event.json))).byteLength);
        seqs.push(...page.map((event) => event.seq));
      }
      return { rowBytes, pageBytes, seqs };
    });
    expect(Math.max(...rowBytes)).toBeLessThanOrEqual(MAX_EVENT_ROW_BYTES);
    expect(Math.max(...pageBytes)).toBeLessThanOrEqual(REPLAY_PAGE_BYTES);
    expect(pageBytes.reduce((a, b) => a + b, 0)).toBeGreaterThan(12_800_000);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // every event once, in order
  });

  it("finding 3: a reader that never reads is handed one page, and the object holds no more for it", { timeout: 60_000 }, async () => {
    const { sessionId, runId, run, response } = await startRun("bounds-idle-reader");
    await response.body!.cancel();
    await sendExit(run, await sendLines(run, 1, LINES, 4), 0);
    const stub = env.SESSION.getByName(sessionId);
    // Through the object's own resume path: the first thing the reader finds queued is all that was
    // queued for it while it did not read.
    const firstQueued = await runInDurableObject(stub, async (instance: SessionObject) => {
      const reader = instance.resume(0).body!.getReader();
      await sleep(300);
      const { value } = await reader.read();
      await reader.cancel();
      return value!.byteLength;
    });
    expect(firstQueued).toBeLessThanOrEqual(REPLAY_PAGE_BYTES);
    // The same catch-up on a subscriber whose queue is measured: at most its high-water mark plus a page.
    const queued = await runInDurableObject(stub, async (_: SessionObject, state) => {
      const subscriber = new Subscriber(() => {});
      const reader = subscriber.stream.getReader();
      void subscriber.catchUp(new RunLog(state.storage.sql).pages(runId, 0));
      await sleep(300);
      const held = subscriber.queuedBytes;
      await reader.cancel();
      return held;
    });
    expect(queued).toBeGreaterThan(0);
    expect(queued).toBeLessThanOrEqual(MAX_SUBSCRIBER_QUEUE_BYTES);
  });

  it("finding 3: a frame's chunks are cut into rows at the byte bound, a larger chunk alone in its row", () => {
    const small = "s".repeat(100 * 1024);
    expect(splitIntoRows([small, small, small, "h".repeat(MAX_EVENT_ROW_BYTES + 1), small])).toEqual([[0, 2], [2, 3], [3, 4], [4, 5]]);
    expect(splitIntoRows(["é".repeat(100 * 1024), "é".repeat(100 * 1024)])).toEqual([[0, 1], [1, 2]]); // UTF-8 bytes, not characters
    expect(splitIntoRows([])).toEqual([[0, 0]]); // a frame without chunks still gets its row
  });

  it("finding 3: a live subscriber that does not read refuses a batch past its bound instead of queueing it", () => {
    const subscriber = new Subscriber(() => {});
    const batch = new Uint8Array(800 * 1024); // one frame's worth of events
    let seq = 0;
    while (subscriber.offerEvents(batch, ++seq));
    expect(subscriber.queuedBytes).toBeLessThanOrEqual(MAX_SUBSCRIBER_QUEUE_BYTES);
    expect(subscriber.sentSeq).toBe(seq - 1); // the refused batch is left to a catch-up from storage
    expect(subscriber.offerEvents(new Uint8Array(MAX_SUBSCRIBER_QUEUE_BYTES + 1), seq)).toBe(false);
  });

  it("finding 3: a reader that stops and later reads gets every big event once, in order", { timeout: 60_000 }, async () => {
    const { run, response } = await startRun("bounds-slow-reader");
    const reader = response.body!;
    const next = await sendLines(run, 1, LINES, 4); // nobody reads meanwhile
    await sendExit(run, next, 0);
    const events = await readSse(new Response(reader));
    const ids = events.filter((event) => event.data !== "[DONE]").map((event) => event.id!);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(textOf(chunksOf(events))).toBe(LINES.map((line) => (JSON.parse(line) as { data: { delta: string } }).data.delta).join(""));
  });
});

const message = (id: string, role: "user" | "assistant", text: string): UIMessage => ({ id, role, parts: [{ type: "text", text }] });

/** Stores messages straight into a session's object, as runs would have. */
async function storeMessages(sessionId: string, messages: UIMessage[]): Promise<void> {
  await runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) => {
    const store = new MessageStore(state.storage.sql);
    for (const stored of messages) store.upsert(stored);
  });
}

/** Reads the whole history the way the page does: the newest page, then older ones by `before`. */
async function readAllPages(sessionId: string, query = ""): Promise<{ pages: { ids: string[]; bytes: number }[]; messages: UIMessage[] }> {
  const pages: { ids: string[]; bytes: number }[] = [];
  let messages: UIMessage[] = [];
  let before: string | null = null;
  for (;;) {
    const params = new URLSearchParams(query);
    if (before !== null) params.set("before", before);
    const response = await api(`/api/chat/${sessionId}/messages?${params}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const page = JSON.parse(text) as UIMessage[];
    pages.push({ ids: page.map((item) => item.id), bytes: encoder.encode(text).byteLength });
    messages = [...page, ...messages];
    if (response.headers.get("x-older-messages") !== "true") return { pages, messages };
    before = page[0]!.id;
  }
}

describe("finding 4: a big history can never be read again", () => {
  it("finding 4: a 40 MB history (past the 32 MiB an object call returns) is read in pages under the byte budget", { timeout: 120_000 }, async () => {
    const stored = Array.from({ length: 40 }, (_, i) => message(`m${i}`, i % 2 === 0 ? "user" : "assistant", `${i}:`.padEnd(1_000_000, "y")));
    await storeMessages("bounds-history-big", stored);
    const first = await api("/api/chat/bounds-history-big/messages");
    expect(first.status).toBe(200); // on main: 500, the whole history in one object call
    const latest = (await first.json()) as UIMessage[];
    expect(latest.at(-1)!.id).toBe("m39"); // the newest first
    const { pages, messages } = await readAllPages("bounds-history-big");
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page.bytes).toBeLessThanOrEqual(HISTORY_PAGE_BYTES);
    expect(messages).toEqual(stored);
  });

  it("finding 4: a message larger than the budget, and than an object call, comes alone on its page", { timeout: 120_000 }, async () => {
    const huge = message("huge", "assistant", "z".repeat(34 * 1024 * 1024));
    const stored = [message("q1", "user", "question"), huge, message("q2", "user", "another"), message("a2", "assistant", "small")];
    await storeMessages("bounds-history-huge", stored);
    const { pages, messages } = await readAllPages("bounds-history-huge");
    expect(pages.map((page) => page.ids)).toEqual([["q2", "a2"], ["huge"], ["q1"]]);
    expect(messages).toEqual(stored);
  });

  it("finding 4: a running answer is the newest message of the latest page, and pages go on before it", async () => {
    const { sessionId, run, response } = await startRun("bounds-history-running", "the question");
    await sendLines(run, 1, bigDeltaLines(2, 10));
    const latest = await api(`/api/chat/${sessionId}/messages?limit=1`);
    const [answer] = (await latest.json()) as UIMessage<{ streaming: boolean }>[];
    expect(answer!.metadata!.streaming).toBe(true);
    expect(latest.headers.get("x-older-messages")).toBe("true");
    const older = await api(`/api/chat/${sessionId}/messages?limit=1&before=${encodeURIComponent(answer!.id)}`);
    expect(((await older.json()) as UIMessage[]).map((item) => item.role)).toEqual(["user"]);
    expect(older.headers.get("x-older-messages")).toBeNull();
    await sendExit(run, 3, 0);
    await readSse(response);
  });

  it("finding 4: ?limit= caps a page's messages; an unknown before or a bad limit is a 400", async () => {
    await storeMessages("bounds-history-limit", Array.from({ length: 5 }, (_, i) => message(`l${i}`, "user", `q${i}`)));
    const { pages } = await readAllPages("bounds-history-limit", "limit=2");
    expect(pages.map((page) => page.ids)).toEqual([["l3", "l4"], ["l1", "l2"], ["l0"]]);
    const unknown = await api("/api/chat/bounds-history-limit/messages?before=nope");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: "invalid before: no such message in this session" });
    for (const limit of ["0", "-1", "1.5", "abc", "1001"]) {
      expect((await api(`/api/chat/bounds-history-limit/messages?limit=${limit}`)).status).toBe(400);
    }
  });
});

describe("finding 12: only 200 sessions are reachable", () => {
  it("finding 12: every one of 450 sessions is reachable through the index's pages, once each, newest first", { timeout: 60_000 }, async () => {
    const index = env.INDEX.getByName("global");
    const base = 4_000_000_000_000; // later than any other test's sessions: ours come first
    // Three sessions share each activity time: a page boundary falls between equal times too.
    const ids = Array.from({ length: 450 }, (_, i) => `bounds-index-${String(i).padStart(3, "0")}`);
    for (const [i, id] of ids.entries()) {
      await index.upsert({ id, title: `chat ${i}`, updatedAt: base + Math.floor(i / 3), messageCount: 2, status: "completed", hostId: null });
    }
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    for (;;) {
      const response = await api(`/api/chats${before === null ? "" : `?before=${encodeURIComponent(before)}`}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { id: string }[];
      expect(page.length).toBeLessThanOrEqual(200);
      seen.push(...page.map((row) => row.id).filter((id) => id.startsWith("bounds-index-")));
      pages += 1;
      before = response.headers.get("x-older-chats");
      if (before === null || seen.length === ids.length) break;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse()); // on main: the first 200, and no way to the rest
  });

  it("finding 12: ?limit= sizes a page; a malformed cursor or limit is a 400", async () => {
    const response = await api("/api/chats?limit=2");
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBeLessThanOrEqual(2);
    for (const query of ["before=abc", "before=12.has%20space", "limit=0", "limit=201", "limit=x"]) {
      const refused = await api(`/api/chats?${query}`);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/^invalid (before|limit)/);
    }
  });
});
