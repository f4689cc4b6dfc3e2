// The whole system on this machine: `wrangler dev` (local workerd), the real agent host process, a
// fixture agent. A browser (here: Node reading the SSE stream, then the AI SDK's own consumer) sends a
// message and reads the answer; then the same while the network drops and while the edge restarts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { startAgentHost, waitForHosts, FIXTURE_AGENT } from "../support/agent-host-process.ts";
import type { GroupProcess } from "../support/process-group.ts";
import { consumeWithAiSdk, eventIds, readRunResiliently, type SseEvent } from "../support/sse-reader.ts";
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
});
