// What the session object keeps in SQLite while and after a run: the growing answer written at least
// every 2 s, the event log compacted away after the grace period (the message stays), and an idle
// stream kept open with keep-alive comments (KEEPALIVE_MS is 300 ms in the tests, 15 s by default).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runLogTable } from "../../../src/session/run-log.ts";
import type { SessionObject } from "../../../src/session/session-object.ts";
import { readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines } from "../support/started-run.ts";

function sql<T extends Record<string, SqlStorageValue>>(sessionId: string, query: string): Promise<T[]> {
  return runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) => state.storage.sql.exec<T>(query).toArray());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("session storage", () => {
  it("writes the running answer to the messages table within 2 s, marked as streaming", async () => {
    const { sessionId, run, response } = await startRun("storage-1");
    await sendLines(run, 1, textDeltaLines(3));
    await sleep(2_200);
    const [row] = await sql<{ body: string }>(sessionId, "SELECT body FROM messages WHERE role = 'assistant'");
    const stored = JSON.parse(row!.body) as { parts: { type: string; text?: string }[]; metadata: { streaming: boolean } };
    expect(stored.metadata.streaming).toBe(true);
    expect(stored.parts.filter((part) => part.type === "text").map((part) => part.text).join("")).toBe("w0 w1 w2 ");
    await sendExit(run, 4, 0);
    await readSse(response);
  });

  it("compacts a finished run's events after the grace period, keeping its message", async () => {
    const { sessionId, runId, run, response } = await startRun("storage-2");
    await sendExit(run, await sendLines(run, 1, textDeltaLines(10)), 0);
    await readSse(response);
    expect((await sql<{ n: number }>(sessionId, `SELECT COUNT(*) AS n FROM ${runLogTable(runId)}`))[0]!.n).toBeGreaterThan(0);
    await sleep(2_100);
    await runDurableObjectAlarm(env.SESSION.getByName(sessionId));
    // The run's table is dropped whole: Cloudflare counts no row written for it, as it would for each deleted row.
    expect(await sql(sessionId, `SELECT name FROM sqlite_master WHERE name = '${runLogTable(runId)}'`)).toEqual([]);
    expect((await sql<{ n: number }>(sessionId, "SELECT COUNT(*) AS n FROM messages"))[0]!.n).toBe(2);
  });

  it("sends keep-alive comments on an idle stream", async () => {
    const { run, response } = await startRun("storage-3");
    const reader = response.body!.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    let text = "";
    while (!text.includes(": keepalive\n\n")) text += (await reader.read()).value ?? "";
    await reader.cancel();
    await sendExit(run, 1, 0);
  });
});
