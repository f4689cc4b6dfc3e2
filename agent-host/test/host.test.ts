import { describe, expect, it } from "vitest";
import { HOST_PROTOCOL_VERSION } from "../../protocol/host.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { startFrame } from "./support/start-frame.ts";
import { FakeEdge, type FrameDecision } from "./support/fake-edge.ts";
import { isAlive, replayAgent, waitUntil } from "./support/fixture-agent.ts";
import { startHost, type HostProcess } from "./support/host-process.ts";
import { portOutsideEphemeralRange } from "./support/reserved-port.ts";

const TOKEN = "test-host-token";
const cleanup = cleanupAfterEach();

async function edge(port?: number): Promise<FakeEdge> {
  const fake = await FakeEdge.start(TOKEN, port);
  cleanup(() => fake.close());
  return fake;
}

/** The host running the fixture agent with `agentArgs` (plus the message placeholder) for every run. */
function host(fake: { url: string }, agentArgs: string[], extra: string[] = [], token = TOKEN): HostProcess {
  const command = JSON.stringify([...replayAgent(...agentArgs), "--message", "{message}"]);
  const started = startHost(["--url", fake.url, "--agent", "jsonl", "--command", command, "--host-id", "test-host", ...extra], {
    RELAY_HOST_TOKEN: token,
  });
  cleanup(() => started.stop());
  return started;
}

const start = (runId: string, sessionId?: string) => startFrame(runId, sessionId);

async function connected(fake: FakeEdge): Promise<void> {
  await fake.waitFor(() => fake.hellos.length > 0, "the host's hello");
}

/** seq fields of the fixture's lines, which count 1, 2, 3, ... */
const seqs = (lines: string[]) => lines.map((line) => JSON.parse(line).seq as number);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("agent host against an edge", () => {
  it("says hello with its id, its limit, its agent kind and no runs, authenticated by the Bearer token", async () => {
    const fake = await edge();
    const running = host(fake, ["--say", "hi"], ["--max-runs", "3"]);
    await connected(fake);
    expect(fake.hellos[0]).toEqual({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "test-host", instanceKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), maxRuns: 3, agent: "jsonl" });
    // This host always sends its token; an upgrade with no Authorization at all is some other test file's
    // client that found this port free (the files run side by side), not this host's.
    expect(fake.refusedUpgrades.filter((header) => header !== "")).toEqual([]);
    await running.waitForLog("control: connected to ws://127.0.0.1");
  });

  it("logs and drops an approval answer for an agent that cannot take one (a jsonl CLI), and the run goes on", async () => {
    const fake = await edge();
    const running = host(fake, ["--say", "hi", "--hang"]);
    await connected(fake);
    fake.sendControl(start("ra"));
    await fake.waitFor(() => (fake.runs.get("ra")?.lines.length ?? 0) > 0, "the first line");
    fake.sendRun("ra", { type: "approval", approvalId: "appr-1", approved: true });
    await running.waitForLog("run ra (session session-ra): dropped an answer to approval appr-1 (this agent is not waiting for one)");
    fake.sendControl({ type: "abort", sessionId: "session-ra", runId: "ra" });
    await fake.waitFor(() => fake.runs.get("ra")?.exit !== undefined, "the exit after the abort");
  });

  it("runs an agent: every line in order, then the exit, and the run is forgotten once stored", async () => {
    const fake = await edge();
    const running = host(fake, ["--echo-args", "--say", "the answer is 42", "--exit", "0"]);
    await connected(fake);
    fake.sendControl({ ...start("r1"), message: "two words" });
    await fake.waitFor(() => fake.runs.get("r1")?.exit !== undefined, "the exit");
    const run = fake.run("r1");
    expect(JSON.parse(run.lines[0]!).argv.slice(-2)).toEqual(["--message", "two words"]);
    expect(run.lines.slice(1).map((line) => JSON.parse(line).data.delta ?? null)).toEqual([null, "the ", "answer ", "is ", "42", null]);
    expect(run.exit).toEqual({ type: "exit", seq: 8, code: 0, signal: null, stderrTail: "" });
    expect(run.violations).toEqual([]);
    await running.waitForLog(/run r1 \(session session-r1\): ended with exit code 0 after \d+ ms, 7 lines/);
  });

  it("delivers a fast run exactly once, in order, while the edge cuts the run socket again and again", async () => {
    const fake = await edge();
    const lineCount = 30_000;
    // Cut after the 3rd and 7th frame once stored (their acks never leave) and lose the 11th and 15th.
    const cuts = new Map<number, FrameDecision>([[3, "store-then-drop"], [7, "store-then-drop"], [11, "drop"], [15, "drop"]]);
    fake.decide = (run) => cuts.get(run.framesReceived) ?? "ack";
    const running = host(fake, ["--burst", String(lineCount)]);
    await connected(fake);
    fake.sendControl(start("fast"));
    await fake.waitFor(() => fake.runs.get("fast")?.exit !== undefined, "the exit", 30_000);
    const run = fake.run("fast");
    expect(run.violations).toEqual([]);
    expect(seqs(run.lines)).toEqual(oneToN(lineCount + 2));
    expect(run.exit).toMatchObject({ seq: lineCount + 3, code: 0 });
    expect(run.resumePoints.length).toBe(5);
    // Each connection's first frame starts right after the resume point the edge sent on it.
    expect(run.firstSeqAfterResume).toEqual(run.resumePoints.map((seq) => seq + 1));
    await running.waitForLog(/reconnected after .*resending from seq/);
  });

  it("lets lines share a frame for up to --batch-ms (fewer frames, later), or sends each at once with 0", async () => {
    const framesFor = async (batchMs: string) => {
      const fake = await edge();
      host(fake, ["--delay", "20", "--say", "a b c d e f g h i j"], ["--batch-ms", batchMs]);
      await connected(fake);
      fake.sendControl(start(`batch-${batchMs}`));
      await fake.waitFor(() => fake.runs.get(`batch-${batchMs}`)?.exit !== undefined, "the exit");
      const run = fake.run(`batch-${batchMs}`);
      expect(seqs(run.lines)).toEqual(oneToN(12));
      return run.framesReceived;
    };
    // 12 lines written 20 ms apart: with a 300 ms window they travel together; with none, one by one.
    expect(await framesFor("300")).toBeLessThanOrEqual(3);
    expect(await framesFor("0")).toBeGreaterThanOrEqual(10);
  });

  it("pauses the agent at the memory bound while the edge does not acknowledge, and resumes after", async () => {
    const fake = await edge();
    fake.decide = () => "hold";
    const lineCount = 200_000;
    const running = host(fake, ["--burst", String(lineCount)], ["--max-unacked-mib", "1"]);
    await connected(fake);
    fake.sendControl(start("slow"));
    await running.waitForLog("pausing the agent's output");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const run = fake.run("slow");
    expect(run.lines.length).toBeLessThan(lineCount / 4);
    // Now acknowledge as frames come: everything arrives, in order.
    fake.decide = () => "ack";
    fake.releaseAcks("slow");
    await fake.waitFor(() => run.exit !== undefined, "the exit", 30_000);
    expect(run.violations).toEqual([]);
    expect(seqs(run.lines)).toEqual(oneToN(lineCount + 2));
    expect(running.log).toContain("edge caught up; resuming the agent's output");
  });

  it("refuses a start beyond --max-runs and a duplicate run id, with errors a person can read", async () => {
    const fake = await edge();
    host(fake, ["--hang"], ["--max-runs", "1"]);
    await connected(fake);
    fake.sendControl(start("first"));
    await fake.waitFor(() => fake.runs.has("first"), "the first run's socket");
    fake.sendControl(start("first"));
    fake.sendControl(start("second"));
    await fake.waitFor(() => fake.rejections.length === 2, "two refusals");
    expect(fake.rejections).toEqual([
      { type: "run-rejected", sessionId: "session-first", runId: "first", error: 'run first is already running on agent host "test-host"' },
      {
        type: "run-rejected",
        sessionId: "session-second",
        runId: "second",
        error: 'agent host "test-host" is busy: it runs at most 1 agent at once (--max-runs)',
      },
    ]);
  });

  it("aborts a run when the edge says so, on the control socket or on the run socket", async () => {
    const fake = await edge();
    host(fake, ["--hang"]);
    await connected(fake);
    fake.sendControl(start("a"));
    fake.sendControl(start("b"));
    await fake.waitFor(() => fake.runs.has("a") && fake.runs.has("b"), "both run sockets");
    fake.sendControl({ type: "abort", sessionId: "session-a", runId: "a" });
    fake.sendRun("b", { type: "abort" });
    await fake.waitFor(() => fake.run("a").exit !== undefined && fake.run("b").exit !== undefined, "both exits");
    expect(fake.run("a").exit).toMatchObject({ code: null, signal: "SIGTERM" });
    expect(fake.run("b").exit).toMatchObject({ code: null, signal: "SIGTERM" });
  });

  it("stops the agent and forgets the run when the edge ends it with a fatal error", async () => {
    const fake = await edge();
    const running = host(fake, ["--hang"]);
    await connected(fake);
    fake.sendControl(start("doomed"));
    await fake.waitFor(() => fake.runs.has("doomed"), "the run socket");
    fake.sendRun("doomed", { type: "error", error: "run timed out waiting for the host", fatal: true });
    await running.waitForLog("the edge ended the run: run timed out waiting for the host");
    await running.waitForLog("run doomed (session session-doomed): ended with signal SIGTERM");
    fake.dropControl();
    await fake.waitFor(() => fake.hellos.length === 2, "the hello after reconnecting");
  });

  it("frees the run's slot when the edge ends a run whose output is paused at the memory bound", async () => {
    const fake = await edge();
    fake.decide = () => "hold";
    const running = host(fake, ["--burst", "200000", "--hang"], ["--max-unacked-mib", "1", "--max-runs", "1"]);
    await connected(fake);
    fake.sendControl(start("stuck"));
    await running.waitForLog("pausing the agent's output");
    fake.sendRun("stuck", { type: "error", error: "the run was stopped", fatal: true });
    await running.waitForLog(/run stuck \(session session-stuck\): ended with/);
    // The one slot is free again: the next start is taken, not refused as busy.
    fake.decide = () => "ack";
    fake.sendControl(start("next"));
    await fake.waitFor(() => fake.runs.has("next"), "the next run's socket");
    expect(fake.rejections).toEqual([]);
  });

  it("frees a run's slot when its agent exits, before the edge has acknowledged the exit (a chat's next turn is not refused)", async () => {
    const fake = await edge();
    // The edge stores the exit but its ack is slow to come back (it follows the browser's finish).
    fake.decide = (_run, frame) => (frame.type === "exit" ? "hold" : "ack");
    const running = host(fake, ["--say", "done", "--exit", "0"], ["--max-runs", "1"]);
    await connected(fake);
    fake.sendControl(start("turn-1", "chat"));
    await fake.waitFor(() => fake.runs.get("turn-1")?.exit !== undefined, "the first turn's exit");
    await running.waitForLog(/run turn-1 \(session chat\): ended with exit code 0/);
    fake.sendControl(start("turn-2", "chat"));
    await fake.waitFor(() => fake.runs.get("turn-2")?.exit !== undefined || fake.rejections.length > 0, "the next turn taken or refused");
    expect(fake.rejections).toEqual([]);
    expect(fake.run("turn-2").exit).toMatchObject({ code: 0 });
    for (const runId of ["turn-1", "turn-2"]) fake.releaseAcks(runId); // or the host's shutdown waits for them
  });

  it("reports an agent that cannot be started as the run's exit, with the reason", async () => {
    const fake = await edge();
    const running = startHost(["--url", fake.url, "--agent", "jsonl", "--command", "/nonexistent/agent {message}"], {
      RELAY_HOST_TOKEN: TOKEN,
    });
    cleanup(() => running.stop());
    await connected(fake);
    fake.sendControl(start("missing"));
    await fake.waitFor(() => fake.runs.get("missing")?.exit !== undefined, "the exit");
    expect(fake.run("missing").exit).toEqual({
      type: "exit",
      seq: 1,
      code: null,
      signal: null,
      stderrTail: "",
      error: "spawn /nonexistent/agent ENOENT (is /nonexistent/agent installed and on the PATH?)",
    });
    await running.waitForLog("ended with an error (spawn /nonexistent/agent ENOENT (is /nonexistent/agent installed and on the PATH?))");
  });

  it("says hello again, with the same instance key, after the control socket drops", async () => {
    const fake = await edge();
    const running = host(fake, ["--hang"]);
    await connected(fake);
    fake.sendControl(start("long", "s-long"));
    await fake.waitFor(() => fake.runs.has("long"), "the run socket");
    fake.dropControl();
    await fake.waitFor(() => fake.hellos.length === 2, "a second hello");
    expect(fake.hellos[1]!.instanceKey).toBe(fake.hellos[0]!.instanceKey);
    await running.waitForLog(/control: connected to .* again after .* \(closed with code 1006\)/);
  });

  it("exits non-zero after the first attempt when the edge refuses the token", async () => {
    const fake = await edge();
    const running = host(fake, ["--say", "hi"], [], "wrong-token");
    const exit = await running.exited;
    expect(exit.code).toBe(3);
    expect(running.log).toContain(`agent-host: token refused by ws://127.0.0.1:${fake.port}/api/host/connect`);
    expect(running.log).not.toContain("retrying");
    expect(fake.refusedUpgrades.every((header) => header === "Bearer wrong-token")).toBe(true);
  });

  it("keeps retrying, with a log line each time, while the edge is unreachable", async () => {
    const port = await portOutsideEphemeralRange();
    const running = host({ url: `http://127.0.0.1:${port}` }, ["--say", "hi"]);
    await running.waitForLog(/control: cannot connect .*ECONNREFUSED.*retrying in[\s\S]*control: cannot connect .*ECONNREFUSED/);
    const fake = await edge(port);
    await connected(fake);
    await running.waitForLog("control: connected to");
  });

  it("on SIGTERM aborts its runs (agent and children), reports their exits, and exits 0", async () => {
    const fake = await edge();
    const running = host(fake, ["--spawn-child", "--hang"]);
    await connected(fake);
    fake.sendControl(start("busy"));
    await fake.waitFor(() => (fake.runs.get("busy")?.lines.length ?? 0) > 0, "the child's pid");
    const childPid = JSON.parse(fake.run("busy").lines[0]!).childPid as number;
    running.child.kill("SIGTERM");
    const exit = await running.exited;
    expect(exit.code).toBe(0);
    expect(fake.run("busy").exit).toMatchObject({ signal: "SIGTERM" });
    await waitUntil(() => !isAlive(childPid), "the agent's child to be gone", 2000);
    expect(running.log).toContain("SIGTERM: aborting 1 run, then exiting");
  });
});
