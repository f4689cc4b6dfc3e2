// Issue 9, finding 5, end to end: a person who sends a message every 20 s for two minutes is never told
// that the host is gone while it is connected. `wrangler dev`, the real agent host, the fixture agent.
//
// Scaled 1:25 so it runs in seconds: the edge's host silence limit HOST_SILENCE_MS is 3 s instead of
// 75 s (a var), so its welcome asks the host to ping every 1.2 s instead of 30 s; a message every
// 0.8 s instead of 20 s; 6 messages (4.8 s) instead of two minutes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROL_SOCKET_PATH, HOST_PROTOCOL_VERSION, newSecret, type EdgeToHostControlFrame } from "../../protocol/host.ts";
import { FIXTURE_AGENT, startAgentHost, waitForHosts } from "../support/agent-host-process.ts";
import type { GroupProcess } from "../support/process-group.ts";
import { streamText } from "../support/sse-reader.ts";
import { WranglerDev } from "../support/wrangler-dev.ts";

const SCALE = 25;
const relay = new WranglerDev({ vars: { HOST_SILENCE_MS: String(75_000 / SCALE) } });
let host: GroupProcess;

beforeAll(async () => {
  await relay.start();
  host = startAgentHost({ url: relay.url, token: relay.hostToken, command: [process.execPath, FIXTURE_AGENT, "--say", "{message}"] });
  await waitForHosts(() => relay.hostsConnected(), 1, host);
});

afterAll(async () => {
  await host?.stop();
  await relay.dispose();
});

/** Sends a message every 20 s (scaled) for two minutes (scaled); each answer's status and text. */
async function messageEvery20sFor2Minutes(sessionId: string): Promise<{ statuses: number[]; texts: string[] }> {
  const statuses: number[] = [];
  const texts: string[] = [];
  const startedAt = Date.now();
  for (let i = 1; i <= 120 / 20; i += 1) {
    const dueAt = startedAt + (i * 20_000) / SCALE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
    const response = await relay.api("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${i}`, role: "user", parts: [{ type: "text", text: `message ${i}` }] }], trigger: "submit-message" }),
    });
    statuses.push(response.status);
    if (response.status !== 200) {
      texts.push(await response.text());
      continue;
    }
    texts.push((await streamText(response.body!)).trim());
  }
  return { statuses, texts };
}

describe("a busy host", () => {
  it("finding 5: a message every 20 s for two minutes always reaches the host (scaled 1:25)", async () => {
    expect(await messageEvery20sFor2Minutes("busy-host")).toEqual({
      statuses: [200, 200, 200, 200, 200, 200],
      texts: ["message 1", "message 2", "message 3", "message 4", "message 5", "message 6"],
    });
  });

  it("finding 5: any frame from a host counts as life at the edge, not only pings (scaled 1:25)", async () => {
    await host.stop();
    await expect.poll(() => relay.hostsConnected(), { timeout: 10_000 }).toBe(0);
    // A host that never pings but answers every start (here: refuses it, as a host at --max-runs does).
    const socket = new WebSocket(`${relay.url.replace(/^http/, "ws")}${CONTROL_SOCKET_PATH}`, { headers: { authorization: `Bearer ${relay.hostToken}` } });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as EdgeToHostControlFrame;
      if (frame.type === "start") socket.send(JSON.stringify({ type: "run-rejected", sessionId: frame.sessionId, runId: frame.runId, error: "busy" }));
    });
    await new Promise((resolve) => socket.addEventListener("open", resolve));
    socket.send(JSON.stringify({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "silent-but-busy", instanceKey: newSecret(), maxRuns: 1 }));
    await expect.poll(() => relay.hostsConnected()).toBe(1);
    const { statuses, texts } = await messageEvery20sFor2Minutes("busy-refusing-host");
    socket.close();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    for (const text of texts) expect(text).toContain("The agent host refused the run: busy");
  });
});
