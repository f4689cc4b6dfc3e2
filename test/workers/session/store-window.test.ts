// The store window (docs/architecture.md): events go to browsers as soon as a frame is translated; the
// frames of a window are stored together, in one row, and only then acknowledged to the host. An object
// that crashes inside the window has lost those events, the host has not (never acknowledged), and the
// re-translation of its resend gives the very same events under the very same ids.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { STORE_WINDOW_MS } from "../../../protocol/limits.ts";
import { runLogTable } from "../../../src/session/run-log.ts";
import type { SessionObject } from "../../../src/session/session-object.ts";
import { api, chunksOf, openRun, readSse, sendExit, sendLines, type SseEvent } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

const LINES = textDeltaLines(30);
const ANSWER = LINES.map((_, i) => `w${i} `).join("");

/** Rows of the run's log and the last line they store. */
function stored(sessionId: string, runId: string): Promise<{ rows: number; lineSeq: number }> {
  return runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) => {
    const [row] = state.storage.sql.exec<{ rows: number; lineSeq: number }>(`SELECT COUNT(*) AS rows, MAX(line_seq) AS lineSeq FROM ${runLogTable(runId)}`).toArray();
    return row!;
  });
}

const dataEvents = (events: SseEvent[]) => events.filter((event) => event.data !== "[DONE]");

describe("the store window", () => {
  it("sends a frame's events at once, stores a window's frames in one row, and acknowledges only what is stored", async () => {
    const { sessionId, runId, run, response } = await startRun("window-1");
    const reading = readSse(response, 2 + 10); // start, text-start, one delta per line
    const sentAt = Date.now();
    for (let i = 0; i < 10; i++) run.send({ type: "lines", firstSeq: i + 1, lines: [LINES[i]!] });
    const seen = await reading;
    // The browser has every line's event while none of them is stored and none is acknowledged.
    expect(textOf(chunksOf(seen))).toBe(ANSWER.split(" ").slice(0, 10).join(" ") + " ");
    expect(await stored(sessionId, runId)).toEqual({ rows: 1, lineSeq: 0 }); // the run's start only
    // One ack for the window, for all ten lines, once they are stored: in one row.
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: 10 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(STORE_WINDOW_MS - 10);
    expect(await stored(sessionId, runId)).toEqual({ rows: 2, lineSeq: 10 });
    await sendExit(run, 11, 0);
  });

  it("a crash inside the window: the host's resend is translated into the same events under the same ids", async () => {
    const started = await startRun("window-2");
    const { sessionId, runId, hostId } = started;
    const next = await sendLines(started.run, 1, LINES.slice(0, 10), 10); // stored and acknowledged
    started.run.send({ type: "lines", firstSeq: next, lines: LINES.slice(10, 20) });
    // start, text-start, then one delta per frame: the edge merges a frame's adjacent deltas, and the
    // host resends a frame with the same lines (below), so the restarted object makes the same event.
    const seen = await readSse(started.response, 2 + 2);
    expect((await stored(sessionId, runId)).lineSeq).toBe(10); // lines 11..20 are only in memory
    await abortAllDurableObjects(); // a crash (or a redeploy) inside the window

    // The restarted object knows only what was stored, and asks the host for the rest.
    const again = await openRun(sessionId, runId, hostId);
    expect(again.resumeAt).toBe(10);
    // The browser resumes after the last event it saw, which the restarted object has not made yet.
    const resumed = await api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(seen.at(-1)!.id) } });
    expect(resumed.status).toBe(200);
    const after = await sendLines(again.run, 11, LINES.slice(10), 10);
    await sendExit(again.run, after, 0);
    const rest = dataEvents(await readSse(resumed));
    expect(rest[0]!.id).toBe(seen.at(-1)!.id! + 1);
    const browser = [...seen, ...rest];
    expect(browser.map((event) => event.id)).toEqual(browser.map((_, i) => i + 1));
    expect(textOf(chunksOf(browser))).toBe(ANSWER);

    // What a browser that never saw the first incarnation reads is what this one saw, id for id.
    const replay = dataEvents(await readSse(await api(`/api/chat/${sessionId}/stream`)));
    expect(replay).toEqual(browser);
    const history = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { parts: { type: string; text?: string }[] }[];
    expect(history[1]!.parts.filter((part) => part.type === "text").map((part) => part.text).join("")).toBe(ANSWER);
  });

  it("a deploy of this layout mid-run: a run logged in the old shared events table goes on from it", async () => {
    const started = await startRun("window-3");
    const { sessionId, runId, hostId } = started;
    const next = await sendLines(started.run, 1, LINES.slice(0, 10), 10);
    const seen = await readSse(started.response, 2 + 1);
    // The log as the relay kept it before: every run's rows in one `events` table.
    await runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE events (run_id TEXT NOT NULL, line_seq INTEGER NOT NULL, first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL, state TEXT, body TEXT NOT NULL)`);
      sql.exec(`INSERT INTO events SELECT ?, line_seq, first_seq, last_seq, state, body FROM ${runLogTable(runId)} ORDER BY rowid`, runId);
      sql.exec(`DROP TABLE ${runLogTable(runId)}`);
    });
    await abortAllDurableObjects(); // the deploy

    const again = await openRun(sessionId, runId, hostId);
    expect(again.resumeAt).toBe(10);
    const resumed = await api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(seen.at(-1)!.id) } });
    await sendExit(again.run, await sendLines(again.run, next, LINES.slice(10), 10), 0);
    const browser = [...seen, ...dataEvents(await readSse(resumed))];
    expect(browser.map((event) => event.id)).toEqual(browser.map((_, i) => i + 1));
    expect(textOf(chunksOf(browser))).toBe(ANSWER);
    const tables = await runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'events'").toArray(),
    );
    expect(tables).toEqual([]);
  });
});
