import { describe, expect, it } from "vitest";
import { newSecret } from "../../protocol/host.ts";
import { toWebSocketUrl } from "../src/config.ts";
import { MAX_FRAMES_IN_FLIGHT, RunLink, type RunLinkOutcome } from "../src/run-link.ts";
import { RunOutbox } from "../src/run-outbox.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { FakeEdge, type FrameDecision } from "./support/fake-edge.ts";

const TOKEN = "run-token";
const cleanup = cleanupAfterEach();

const linesOf = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `{"n":${from + i}}`);

async function setUp(options: { ackTimeoutMs?: number; pingIntervalMs?: number } = {}) {
  const edge = await FakeEdge.start(TOKEN);
  cleanup(() => edge.close());
  const runSecret = newSecret();
  edge.runSecrets.set("r1", runSecret);
  const outbox = new RunOutbox({ maxLinesPerFrame: 100 });
  const logs: string[] = [];
  const aborts: string[] = [];
  let outcome: RunLinkOutcome | undefined;
  const link = new RunLink({
    baseUrl: toWebSocketUrl(edge.url)!,
    token: TOKEN,
    sessionId: "s1",
    runId: "r1",
    hostId: "h1",
    runSecret,
    outbox,
    log: (line) => logs.push(line),
    onAbort: (reason) => aborts.push(reason),
    onApproval: (answer) => logs.push(`approval ${JSON.stringify(answer)}`),
    onAcked: () => {},
    onTokenRefused: () => logs.push("token refused"),
    onFinished: (result) => (outcome = result),
    ...options,
  });
  cleanup(() => link.stop());
  link.start();
  await edge.waitFor(() => edge.runs.has("r1"), "the run socket");
  const push = (lines: string[]) => {
    outbox.pushLines(lines);
    link.notify();
  };
  const exit = () => {
    outbox.pushExit({ code: 0, signal: null, stderrTail: "" });
    link.notify();
  };
  return { edge, outbox, logs, aborts, push, exit, outcome: () => outcome };
}

describe("RunLink", () => {
  it("batches lines produced within a few milliseconds into one frame", async () => {
    const { edge, push } = await setUp();
    for (const line of linesOf(50)) push([line]);
    await edge.waitFor(() => edge.run("r1").lines.length === 50, "50 lines");
    expect(edge.run("r1").framesReceived).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    push(linesOf(1, 51));
    await edge.waitFor(() => edge.run("r1").lines.length === 51, "the 51st line");
    expect(edge.run("r1").framesReceived).toBe(2);
  });

  it("keeps at most MAX_FRAMES_IN_FLIGHT frames unacknowledged, and goes on as acks return", async () => {
    const { edge, push, exit, outcome } = await setUp();
    edge.decide = () => "hold";
    push(linesOf(20_000));
    await edge.waitFor(() => edge.run("r1").framesReceived === MAX_FRAMES_IN_FLIGHT, "a full window");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(edge.run("r1").framesReceived).toBe(MAX_FRAMES_IN_FLIGHT);
    edge.decide = () => "ack";
    edge.releaseAcks("r1");
    exit();
    await edge.waitFor(() => outcome() === "delivered", "delivery");
    expect(edge.run("r1").lines).toEqual(linesOf(20_000));
    expect(edge.run("r1").violations).toEqual([]);
  });

  it("redials when the edge stays silent about frames it owes an ack for", async () => {
    const { edge, push, exit, outcome, logs } = await setUp({ ackTimeoutMs: 200 });
    let frames = 0;
    edge.decide = (): FrameDecision => (++frames === 1 ? "hold" : "ack");
    push(linesOf(10));
    await edge.waitFor(() => edge.run("r1").resumePoints.length === 2, "a second connection");
    exit();
    await edge.waitFor(() => outcome() === "delivered", "delivery");
    expect(edge.run("r1").resumePoints).toEqual([0, 10]);
    expect(edge.run("r1").lines).toEqual(linesOf(10));
    expect(logs.some((line) => /reconnected after .* \(no answer from the edge for 200 ms\); resending from seq 11/.test(line))).toBe(true);
  });

  it("pings an idle run socket so the edge knows the host is there, and redials when no pong comes", async () => {
    const { edge, logs, push, exit } = await setUp({ pingIntervalMs: 100, ackTimeoutMs: 300 });
    await edge.waitFor(() => edge.run("r1").pings >= 2, "pings while idle");
    expect(edge.run("r1").resumePoints).toHaveLength(1);
    edge.answerPings = false;
    // The host logs the reason once the new connection's resume point arrives, just after the edge sent it.
    const reconnected = () => logs.some((line) => line.includes("no answer to a ping"));
    await edge.waitFor(() => edge.run("r1").resumePoints.length === 2 && reconnected(), "a new connection after an unanswered ping");
    edge.answerPings = true;
    push(linesOf(3));
    exit();
    await edge.waitFor(() => edge.run("r1").exit !== undefined, "the exit");
    expect(edge.run("r1").lines).toEqual(linesOf(3));
  });

  it("starts over from the edge's resume point after the edge reports a non-fatal error", async () => {
    const { edge, push, logs } = await setUp();
    push(linesOf(3));
    await edge.waitFor(() => edge.run("r1").lines.length === 3, "3 lines");
    edge.sendRun("r1", { type: "error", error: "sequence gap: expected 4, got 9", fatal: false });
    await edge.waitFor(() => edge.run("r1").resumePoints.length === 2, "a second connection");
    push(linesOf(2, 4));
    await edge.waitFor(() => edge.run("r1").lines.length === 5, "5 lines");
    expect(edge.run("r1").violations).toEqual([]);
    expect(logs.some((line) => line.includes("(the edge reported: sequence gap: expected 4, got 9)"))).toBe(true);
  });

  it("stops for good on a fatal error, asking for the agent to be aborted", async () => {
    const { edge, aborts, outcome } = await setUp();
    edge.sendRun("r1", { type: "error", error: "this run has already ended", fatal: true });
    await edge.waitFor(() => outcome() === "refused", "the link to end");
    expect(aborts).toEqual(["this run has already ended"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(edge.run("r1").resumePoints).toHaveLength(1);
  });
});
