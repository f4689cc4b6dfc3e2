import { describe, expect, it } from "vitest";
import { CLOSE_HOST_ID_IN_USE, CLOSE_HOST_ID_TAKEN, newSecret, type AbortFrame, type StartFrame } from "../../protocol/host.ts";
import { ControlLink } from "../src/control-link.ts";
import { toWebSocketUrl } from "../src/config.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { FakeEdge } from "./support/fake-edge.ts";

const TOKEN = "control-token";
const cleanup = cleanupAfterEach();

async function setUp(options: { pingIntervalMs?: number; pongTimeoutMs?: number } = {}) {
  const edge = await FakeEdge.start(TOKEN);
  cleanup(() => edge.close());
  const logs: string[] = [];
  const starts: StartFrame[] = [];
  const aborts: AbortFrame[] = [];
  const link = new ControlLink({
    baseUrl: toWebSocketUrl(edge.url)!,
    token: TOKEN,
    hostId: "h1",
    maxRuns: 2,
    log: (line) => logs.push(line),
    onStart: (frame) => starts.push(frame),
    onAbort: (frame) => aborts.push(frame),
    onTokenRefused: () => logs.push("token refused"),
    onHostIdTaken: (hostId) => logs.push(`host id ${hostId} taken`),
    ...options,
  });
  cleanup(() => link.stop());
  link.start();
  await edge.waitFor(() => edge.hellos.length === 1, "hello");
  return { edge, logs, starts, aborts };
}

describe("ControlLink", () => {
  it("passes valid start and abort frames on, and ignores invalid ones with a log line", async () => {
    const { edge, logs, starts, aborts } = await setUp();
    const start: StartFrame = { type: "start", sessionId: "s1", runId: "r1", message: "hi", agentSessionId: "a1", runSecret: newSecret() };
    edge.sendControl({ ...start, runId: "bad id!" });
    edge.controlSocket!.send("not json");
    edge.sendControl(start);
    edge.sendControl({ type: "abort", sessionId: "s1", runId: "r1" });
    await edge.waitFor(() => aborts.length === 1, "the abort");
    expect(starts).toEqual([start]);
    expect(logs.filter((line) => line.startsWith("control: ignored"))).toEqual([
      "control: ignored a frame from the edge (invalid frame: runId: must match [A-Za-z0-9_-]{1,128})",
      "control: ignored a frame from the edge (frame is not JSON)",
    ]);
  });

  it("pings the edge with the exact ping frame and stays connected while it answers", async () => {
    const { edge } = await setUp({ pingIntervalMs: 40, pongTimeoutMs: 100 });
    await edge.waitFor(() => edge.pings >= 4, "four pings");
    expect(edge.hellos).toHaveLength(1);
    expect(edge.badControlFrames).toEqual([]);
  });

  it("stops, without reconnecting, when the edge says another host took its id", async () => {
    const { edge, logs } = await setUp();
    edge.controlSocket!.close(CLOSE_HOST_ID_TAKEN, "another connection said hello with this host id");
    await edge.waitFor(() => logs.includes("host id h1 taken"), "the host id report");
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(edge.hellos).toHaveLength(1);
  });

  it("keeps trying, with the same instance key, while the edge says a live host uses its id", async () => {
    const { edge, logs } = await setUp();
    edge.controlSocket!.close(CLOSE_HOST_ID_IN_USE, "another live agent host is connected with this host id");
    await edge.waitFor(() => edge.hellos.length === 2, "a second hello");
    expect(edge.hellos[1]!.instanceKey).toBe(edge.hellos[0]!.instanceKey);
    await edge.waitFor(() => logs.some((line) => line.includes('again after') && line.includes('another agent host is connected as "h1"')), "the reconnect log line");
    expect(logs).not.toContain("host id h1 taken");
  });

  it("gives up a connection whose pings go unanswered and connects again", async () => {
    const { edge, logs } = await setUp({ pingIntervalMs: 40, pongTimeoutMs: 100 });
    edge.answerPings = false;
    await edge.waitFor(() => edge.hellos.length === 2, "a second hello");
    await edge.waitFor(() => logs.some((line) => /connected to .* again after .* \(no answer to a ping for 100 ms\)/.test(line)), "the reconnect log line");
  });
});
