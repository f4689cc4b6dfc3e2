// The whole system on this machine: `wrangler dev` (local workerd), the real agent host process, a
// fixture agent. A browser (here: Node reading the SSE stream, then the AI SDK's own consumer) sends a
// message and reads the answer; then the same while the network drops and while the edge restarts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { startAgentHost, waitForHosts, FIXTURE_AGENT } from "../support/agent-host-process.ts";
import type { GroupProcess } from "../support/process-group.ts";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { collectEvents, consumeWithAiSdk, eventIds, readRunResiliently, type SseEvent } from "../support/sse-reader.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { WranglerDev } from "../support/wrangler-dev.ts";

const relay = new WranglerDev({ vars: { HOST_GRACE_MS: "20000" } });
const proxy = new TcpProxy(() => Number(new URL(relay.url).port));
let host: GroupProcess;

beforeAll(async () => {
  await relay.start();
  await proxy.listen();
  // The host reaches the edge through the proxy, so the test can cut its connections.
  host = startAgentHost({
    url: proxy.url,
    token: relay.hostToken,
    command: [process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", "15"],
  });
  await waitForHosts(() => relay.hostsConnected(), 1, host);
});

afterAll(async () => {
  await host?.stop();
  await proxy.close();
  await relay.dispose();
});

function words(count: number): string {
  return Array.from({ length: count }, (_, i) => `word${i}`).join(" ");
}

async function post(sessionId: string, text: string, through: string = relay.url): Promise<Response> {
  return fetch(`${through}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${relay.relayToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${sessionId}`, role: "user", parts: [{ type: "text", text }] }], trigger: "submit-message" }),
  });
}

function resumeFrom(sessionId: string, through: () => string) {
  return (lastEventId: number) =>
    fetch(`${through()}/api/chat/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${relay.relayToken}`, "last-event-id": String(lastEventId) },
    });
}

function answerText(message: UIMessage): string {
  return message.parts.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/** What every case ends with: ids 1..n with no gap or repeat, the agent's text, stored as streamed. */
async function expectWholeAnswer(sessionId: string, events: SseEvent[], text: string): Promise<void> {
  const ids = eventIds(events);
  expect(ids).toEqual(ids.map((_, i) => i + 1));
  const consumed = await consumeWithAiSdk(events);
  expect(answerText(consumed).trim()).toBe(text);
  expect(await relay.storedAnswer(sessionId)).toEqual(consumed);
}

/** The last event id the session's object has stored for its run (from its SQLite file, read-only). */
function storedEventSeq(sessionId: string): number {
  const dir = join(relay.persistTo, "v3/do/agent-relay-SessionObject");
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const owner = db.prepare("SELECT value FROM meta WHERE key = 'sessionId'").get() as { value: string } | undefined;
      if (owner?.value !== sessionId) continue;
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'run_events_%'").get() as { name: string };
      return (db.prepare(`SELECT MAX(last_seq) AS seq FROM ${table.name}`).get() as { seq: number }).seq;
    } finally {
      db.close();
    }
  }
  throw new Error(`no stored session ${sessionId}`);
}

describe("end to end through wrangler dev and the agent host", () => {
  it("streams the agent's answer to the AI SDK consumer, equal to the persisted message", async () => {
    const text = words(20);
    const response = await post("e2e-plain", text);
    expect(response.status).toBe(200);
    const { events, reattached } = await readRunResiliently(response, resumeFrom("e2e-plain", () => relay.url));
    expect(reattached).toBe(0);
    await expectWholeAnswer("e2e-plain", events, text);
  });

  it("loses and duplicates nothing when every connection is cut mid-run, several times", async () => {
    const text = words(150);
    const response = await post("e2e-cut", text, proxy.url);
    const reading = readRunResiliently(response, resumeFrom("e2e-cut", () => proxy.url));
    let cuts = 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      cuts += proxy.cutAll() > 0 ? 1 : 0;
    }
    const { events, reattached } = await reading;
    expect(cuts).toBeGreaterThan(0);
    expect(reattached).toBeGreaterThan(0);
    await expectWholeAnswer("e2e-cut", events, text);
  });

  it("loses and duplicates nothing when wrangler dev is killed and restarted mid-run", async () => {
    const text = words(150);
    const response = await post("e2e-restart", text);
    const reading = readRunResiliently(response, resumeFrom("e2e-restart", () => relay.url), 200);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await relay.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await relay.start();
    const { events, reattached } = await reading;
    expect(reattached).toBeGreaterThan(0);
    await expectWholeAnswer("e2e-restart", events, text);
  });

  it("a restart inside a store window: the browser read events never stored, and gets the rest under the same ids", async () => {
    // The kill must land while the object holds events it sent but has not stored (docs/architecture.md,
    // "The store window"). With a word every 15 ms and a 250 ms window it nearly always does; a try where
    // it did not is a plain restart, which must be exact too, and then the test tries again.
    for (let attempt = 1; ; attempt++) {
      const sessionId = `e2e-window-${attempt}`;
      const text = words(120);
      // The relay was restarted (by an earlier test or attempt): the host may still be redialling.
      await waitForHosts(() => relay.hostsConnected(), 1, host);
      const response = await post(sessionId, text);
      expect(response.status).toBe(200);
      const events: SseEvent[] = [];
      let lastId = 0;
      let ended = false;
      const reading = collectEvents(response.body!, (event) => {
        events.push(event);
        if (event.id !== null) lastId = event.id;
      }).finally(() => (ended = true));
      while (lastId < 40 && !ended) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(lastId, "the answer ended before the restart").toBeGreaterThanOrEqual(40);
      await relay.stop();
      await reading;
      const seenBeforeRestart = lastId;
      const stored = storedEventSeq(sessionId);
      await relay.start();
      const resume = resumeFrom(sessionId, () => relay.url);
      const resumeAfterSeen = (id: number) => resume(Math.max(id, seenBeforeRestart));
      const first = await resumeAfterSeen(seenBeforeRestart).catch(() => new Response(null, { status: 599 }));
      const rest = await readRunResiliently(first, resumeAfterSeen, 200);
      await expectWholeAnswer(sessionId, [...events, ...rest.events], text);
      if (stored < seenBeforeRestart) return; // the case this test is for, and it ended exact
      expect(attempt, `the restart never landed inside a store window (stored ${stored}, browser at ${seenBeforeRestart})`).toBeLessThan(3);
    }
  });
});
