// A host that refuses a run at once (busy, or an agent that cannot start) can be heard before the hub's
// answer to startRun, which is what tells the session object the run's host. In production the answer and
// the hub's call passing the refusal on travel separately and may arrive in either order; in workerd they
// never overtake each other, so these tests hold the hub before it answers and make its call themselves:
// `hostRejected(runId, error, hostId)`, exactly as the hub makes it for a refusal from `hostId`.
// The refusal must still end the run at once (not after the host grace period), and count only if the
// hub gave the run to the host that refused it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HostHub } from "../../../src/hub/host-hub.ts";
import { api, chatIndexEntry, chunksOf, connectHost, openRun, postChat, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { textDeltaLines, textOf } from "../support/started-run.ts";

const HOST_GRACE_MS = Number(env.HOST_GRACE_MS);

/** The id of the session's running run, once it is under way (its answer's metadata names the run). */
async function runningRunId(sessionId: string): Promise<string> {
  for (;;) {
    const messages = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { metadata?: { runId?: string; streaming?: boolean } }[];
    const running = messages.find((message) => message.metadata?.streaming);
    if (running) return running.metadata!.runId!;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends a chat's message to `hostId` while the hub is held before it answers (or even sends the start):
 * `meanwhile` runs with the new run's id, then the hub goes on. The answer to POST /api/chat.
 */
async function startWithHubHeld(sessionId: string, hostId: string, meanwhile: (runId: string) => Promise<void>): Promise<Response> {
  // Plain flags, polled on each side: a promise resolved from the hub's context would carry the test on in it.
  const hold = { held: false, released: false };
  const hub = runInDurableObject(env.HUB.getByName("global"), (_: HostHub, state) =>
    state.blockConcurrencyWhile(async () => {
      hold.held = true;
      while (!hold.released) await new Promise((resolve) => setTimeout(resolve, 5));
    }),
  );
  await expect.poll(() => hold.held).toBe(true);
  const response = postChat(sessionId, "hello", "u-1", hostId);
  try {
    // Not waited for past a second: an object that ended the run at once would be waiting on the held hub.
    await Promise.race([meanwhile(await runningRunId(sessionId)), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  } finally {
    hold.released = true;
    await hub;
  }
  return response;
}

describe("a refusal heard before the hub's answer", () => {
  it("ends the run at once with the refusal, and does not make the refusing host the chat's host", { timeout: 15_000 }, async () => {
    const busy = await connectHost("early-busy");
    const free = await connectHost("early-free");
    const began = Date.now();
    const response = await startWithHubHeld("early-1", "early-busy", (runId) =>
      env.SESSION.getByName("early-1").hostRejected(runId, "agent host \"early-busy\" is busy", "early-busy"),
    );
    expect(response.status).toBe(200);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toContain('[error] The agent host refused the run: agent host "early-busy" is busy');
    expect(chunks.at(-1)).toMatchObject({ type: "finish", finishReason: "error" });
    expect(Date.now() - began).toBeLessThan(HOST_GRACE_MS / 2);
    // The chat has no host yet: its next turn may go to another one.
    await expect.poll(async () => (await chatIndexEntry("early-1"))?.hostId).toBeNull();
    const next = await postChat("early-1", "hello", "u-2", "early-free");
    expect(next.status).toBe(200);
    const start = await free.nextOfType("start");
    const { run } = await openRun(start.sessionId, start.runId, "early-free");
    await sendExit(run, 1, 0);
    await readSse(next);
    expect(await chatIndexEntry("early-1")).toMatchObject({ hostId: "early-free" });
    busy.close();
    free.close();
  });

  it("drops it when the hub gave the run to another host", { timeout: 15_000 }, async () => {
    const host = await connectHost("early-real");
    const response = await startWithHubHeld("early-2", "early-real", (runId) =>
      env.SESSION.getByName("early-2").hostRejected(runId, "forged refusal", "early-impostor"),
    );
    expect(response.status).toBe(200);
    const start = await host.nextOfType("start");
    const { run } = await openRun(start.sessionId, start.runId, "early-real");
    await sendExit(run, await sendLines(run, 1, textDeltaLines(2)), 0);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toBe("w0 w1 ");
    expect(JSON.stringify(chunks)).not.toContain("forged refusal");
    expect(await chatIndexEntry("early-2")).toMatchObject({ hostId: "early-real" });
    host.close();
  });
});
