// The object loses its memory mid-run: evicted once everything had disconnected, or aborted outright
// (a crash or redeploy) with the host and a browser still attached. Either way it rebuilds the run
// from storage, the host reconnects and resends what was not acknowledged, the browser resumes with
// Last-Event-ID, and the answer is whole and single.
import { abortAllDurableObjects, env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, chunksOf, openRun, readSse, sendExit, sendLines, type SseEvent } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf, type StartedRun } from "../support/started-run.ts";

const LINES = textDeltaLines(100);
const ANSWER = Array.from({ length: 100 }, (_, i) => `w${i} `).join("");

/** After the object lost its memory: reconnect the host, resume the browser, finish the run, check. */
async function finishAfterRestart(started: StartedRun, seen: SseEvent[], storedLines: number): Promise<void> {
  const { sessionId, runId, hostId } = started;
  const again = await openRun(sessionId, runId, hostId);
  expect(again.resumeAt).toBe(storedLines);
  const resumed = await api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(seen.at(-1)!.id) } });
  expect(resumed.status).toBe(200);
  const after = await sendLines(again.run, storedLines + 1, LINES.slice(storedLines), 15);
  await sendExit(again.run, after, 0);
  const rest = await readSse(resumed);

  const all = [...seen, ...rest].filter((event) => event.data !== "[DONE]");
  expect(all.map((event) => event.id)).toEqual(all.map((_, i) => i + 1));
  expect(textOf(chunksOf(all))).toBe(ANSWER);
  const history = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { parts: { type: string; text?: string }[] }[];
  expect(history[1]!.parts.filter((part) => part.type === "text").map((part) => part.text).join("")).toBe(ANSWER);
}

describe("the session object loses its memory mid-run", () => {
  it("is evicted after its host and browser dropped, and carries on from storage", async () => {
    const started = await startRun("evict-1");
    await sendLines(started.run, 1, LINES.slice(0, 40), 10);
    const seen = await readSse(started.response, 4); // start, text-start, the deltas of two frames
    // Lines 41..50 were sent as the connection dropped: never acknowledged, so the host keeps them.
    started.run.send({ type: "lines", firstSeq: 41, lines: LINES.slice(40, 50) });
    await started.run.nextOfType("ack");
    started.run.close();
    // Eviction waits for the object's pending work (the 2 s message write), as it would in production.
    await evictDurableObject(env.SESSION.getByName(started.sessionId));
    // Those 10 lines were stored before the eviction; the host learns it from the resume point.
    await finishAfterRestart(started, seen, 50);
  });

  it("is aborted (crash, redeploy) with the host and a browser attached, and carries on from storage", async () => {
    const started = await startRun("evict-2");
    await sendLines(started.run, 1, LINES.slice(0, 40), 10);
    const seen = await readSse(started.response, 4); // start, text-start, the deltas of two frames
    await abortAllDurableObjects();
    await finishAfterRestart(started, seen, 40);
  });
});

