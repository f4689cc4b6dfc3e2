// The default adapter, `--agent openclaw`, through the real host process against a fake edge and a fake
// openclaw gateway that speaks the gateway's real handshake and frames (support/fake-gateway.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withoutRunningText } from "../../protocol/running-text.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { startFrame } from "./support/start-frame.ts";
import { FakeEdge } from "./support/fake-edge.ts";
import { capturePayloads, FakeGateway, playCapture, type Turn } from "./support/fake-gateway.ts";
import { startHost, type HostProcess } from "./support/host-process.ts";

const TOKEN = "test-host-token";
const cleanup = cleanupAfterEach();

async function edge(): Promise<FakeEdge> {
  const fake = await FakeEdge.start(TOKEN);
  cleanup(() => fake.close());
  return fake;
}

async function gateway(): Promise<FakeGateway> {
  const fake = await FakeGateway.start();
  cleanup(() => fake.close());
  return fake;
}

function host(relay: FakeEdge, gw: FakeGateway, extra: string[] = []): HostProcess {
  const stateDir = mkdtempSync(join(tmpdir(), "agent-host-state-"));
  const started = startHost(
    ["--url", relay.url, "--host-id", "test-host", "--gateway-url", gw.url, "--gateway-token", gw.sharedToken, ...extra],
    { RELAY_HOST_TOKEN: TOKEN, AGENT_RELAY_STATE_DIR: stateDir },
  );
  cleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  cleanup(() => started.stop());
  return started;
}

const start = (runId: string, sessionId?: string) => startFrame(runId, sessionId, `hello from ${runId}`);

/**
 * The lines the host should send for a turn that played `capture`: the gateway's payloads as agent lines,
 * without openclaw's running text (protocol/running-text.ts).
 */
function expectedLines(capture: string, turn: Turn): unknown[] {
  return capturePayloads(capture).map((payload, index) => ({
    event: "agent",
    ...withoutRunningText(payload),
    runId: turn.runId,
    sessionKey: turn.sessionKey,
    seq: index + 1,
    ts: expect.any(Number),
  }));
}

/** A turn that says a little, then waits (a model thinking) until it is aborted. */
function stallAfter(events: number) {
  return async (turn: Turn) => {
    for (const payload of capturePayloads("final.jsonl").slice(0, events)) turn.agent(payload);
    while (!turn.aborted) await new Promise((resolve) => setTimeout(resolve, 20));
  };
}

describe("agent host with the openclaw gateway adapter", () => {
  it("says hello to the relay only once the gateway accepted its signed device identity", async () => {
    const relay = await edge();
    const gw = await gateway();
    await gw.kill(); // not up yet: the host must wait for it, and not tell the relay it is ready
    const running = host(relay, gw);
    await running.waitForLog("openclaw gateway: using the gateway at");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(relay.hellos).toEqual([]);

    await gw.restart();
    await relay.waitFor(() => relay.hellos.length > 0, "the host's hello after the gateway came up");
    expect(relay.hellos[0]).toMatchObject({ hostId: "test-host", maxRuns: 4 });
    expect(gw.refusedConnects).toEqual([]);
    expect(gw.connects).toHaveLength(1);
    expect(gw.connects[0]!.params).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      role: "operator",
      scopes: ["operator.read", "operator.write", "operator.approvals"],
      caps: ["tool-events", "exec-approvals"],
    });
    // An explicit gateway the person runs: its heartbeat settings are the person's to keep.
    expect(gw.calls("set-heartbeats")).toEqual([]);
  });

  it("sends each message with chat.send on the chat's own session key and streams the agent events as lines", async () => {
    const relay = await edge();
    const gw = await gateway();
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");

    relay.sendControl(start("r1", "chat-1"));
    await relay.waitFor(() => relay.runs.get("r1")?.exit !== undefined, "the first turn's exit");
    relay.sendControl({ ...start("r2", "chat-1"), message: "and again" });
    await relay.waitFor(() => relay.runs.get("r2")?.exit !== undefined, "the second turn's exit");

    expect(gw.calls("chat.send")).toEqual([
      { sessionKey: "agent:main:agent-chat-1", message: "hello from r1", idempotencyKey: "r1" },
      { sessionKey: "agent:main:agent-chat-1", message: "and again", idempotencyKey: "r2" },
    ]);
    for (const [index, runId] of ["r1", "r2"].entries()) {
      const run = relay.run(runId);
      expect(run.lines.map((line) => JSON.parse(line))).toEqual(expectedLines("final.jsonl", gw.turns[index]!));
      expect(run.exit).toMatchObject({ code: 0, signal: null });
      expect(run.exit?.error).toBeUndefined();
      expect(run.violations).toEqual([]);
    }
  });

  // openclaw repeats the text so far beside every delta: an answer's own text, and the reasoning that
  // its CLI backends (claude-cli, ...) send as snapshots (`isReasoningSnapshot`) on every thinking delta.
  it.each([
    ["a long answer", "assistant", { itemId: "item-1" }],
    ["a long reasoning from a CLI backend", "thinking", { isReasoningSnapshot: true }],
  ])("sends %s in bytes that grow with its length, not with its square", async (_name, stream, extra) => {
    const relay = await edge();
    const gw = await gateway();
    const deltas = 2_000;
    const word = (i: number) => `word${i} `;
    gw.script = async (turn) => {
      let text = "";
      for (let i = 0; i < deltas; i++) {
        text += word(i);
        turn.agent({ stream, data: { text, delta: word(i), ...extra } });
        if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      turn.agent({ stream: "lifecycle", data: { phase: "end" } });
      turn.chat("final");
    };
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    relay.sendControl(start("long", "chat-long"));
    await relay.waitFor(() => relay.runs.get("long")?.exit !== undefined, "the turn's exit", 30_000);
    const lines = relay.run("long").lines;
    const answer = Array.from({ length: deltas }, (_, i) => word(i)).join("");
    expect(lines.map((line) => JSON.parse(line).data?.delta ?? "").join("")).toBe(answer);
    // ~18 KB of text: with the running text its lines held 16.6 MB; now each is its delta and its envelope.
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    expect(bytes).toBeLessThan(deltas * 300);
  });

  it("runs turns of different chats side by side", async () => {
    const relay = await edge();
    const gw = await gateway();
    gw.script = playCapture("exec-tool.jsonl", 20);
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    for (const runId of ["a", "b", "c"]) relay.sendControl(start(runId));
    await relay.waitFor(() => ["a", "b", "c"].every((runId) => relay.runs.get(runId)?.exit !== undefined), "three exits");
    expect(relay.rejections).toEqual([]);
    for (const runId of ["a", "b", "c"]) {
      const turn = gw.turns.find((candidate) => candidate.runId === runId)!;
      expect(relay.run(runId).lines.map((line) => JSON.parse(line))).toEqual(expectedLines("exec-tool.jsonl", turn));
    }
  });

  it("stops a turn with chat.abort: the partial answer stays, the turn ends as the gateway says, the chat goes on", async () => {
    const relay = await edge();
    const gw = await gateway();
    gw.script = stallAfter(5);
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    relay.sendControl(start("s1", "chat-s"));
    await relay.waitFor(() => (relay.runs.get("s1")?.lines.length ?? 0) >= 5, "the first words");
    const abortedAt = performance.now();
    relay.sendControl({ type: "abort", sessionId: "chat-s", runId: "s1" });
    await relay.waitFor(() => relay.run("s1").exit !== undefined, "the aborted turn's exit");
    // At the gateway's `aborted` state, not after the 5 s the host gives a gateway that says nothing.
    expect(performance.now() - abortedAt).toBeLessThan(3000);

    expect(gw.calls("chat.abort")).toEqual([{ sessionKey: "agent:main:agent-chat-s", runId: "s1" }]);
    const lines = relay.run("s1").lines.map((line) => JSON.parse(line));
    expect(lines.slice(0, 5)).toEqual(expectedLines("final.jsonl", gw.turns[0]!).slice(0, 5));
    expect(lines.at(-1)).toMatchObject({ event: "agent", stream: "lifecycle", data: { phase: "error", aborted: true } });
    expect(relay.run("s1").exit).toMatchObject({ code: 0, signal: null });

    // The aborted turn's late events (openclaw may send some after `aborted`) stay out of the next turn.
    const reply = playCapture("final.jsonl");
    gw.script = (turn) => {
      gw.turns[0]!.agent({ stream: "lifecycle", data: { phase: "end", aborted: true, stopReason: "aborted" } });
      return reply(turn);
    };
    relay.sendControl(start("s2", "chat-s"));
    await relay.waitFor(() => relay.runs.get("s2")?.exit !== undefined, "the next turn's exit");
    expect(relay.run("s2").lines.map((line) => JSON.parse(line).runId)).toEqual(capturePayloads("final.jsonl").map(() => "s2"));
  });

  it("ends a turn with a visible error within seconds when the gateway goes away, and works again once it is back", async () => {
    const relay = await edge();
    const gw = await gateway();
    gw.script = stallAfter(3);
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    relay.sendControl(start("d1", "chat-d"));
    await relay.waitFor(() => (relay.runs.get("d1")?.lines.length ?? 0) >= 3, "the first words");

    const killedAt = performance.now();
    await gw.kill();
    await relay.waitFor(() => relay.run("d1").exit !== undefined, "the cut turn's exit", 5_000);
    expect(performance.now() - killedAt).toBeLessThan(3000);
    expect(relay.run("d1").lines).toHaveLength(3);
    expect(relay.run("d1").exit?.error).toMatch(/^lost the openclaw gateway mid-turn: the connection to the openclaw gateway closed with code \d+/);

    gw.script = playCapture("final.jsonl");
    await gw.restart();
    relay.sendControl(start("d2", "chat-d"));
    await relay.waitFor(() => relay.runs.get("d2")?.exit !== undefined, "the next turn's exit", 40_000);
    expect(relay.run("d2").exit).toMatchObject({ code: 0 });
    expect(relay.run("d2").lines).toHaveLength(capturePayloads("final.jsonl").length);
  }, 60_000);

  it("answers from openclaw's own run when the gateway queues the message into it (a turn it resumed after a restart)", async () => {
    const relay = await edge();
    const gw = await gateway();
    const resumedRun = "0b2ff58f-feac-4142-860a-86a133beca78";
    // As openclaw 2026.9.6 does after a restart mid-turn: the message's own run is final at once, empty;
    // the resumed turn on the same session (already started, or starting just after) answers it.
    gw.script = async (turn) => {
      const resumed = capturePayloads("final.jsonl").map((payload, index) => ({ ...payload, runId: resumedRun, sessionKey: turn.sessionKey, seq: index + 1 }));
      for (const payload of resumed.slice(0, 2)) turn.event("agent", payload);
      turn.chat("final");
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const payload of resumed.slice(2)) turn.event("agent", payload);
      turn.event("chat", { runId: resumedRun, sessionKey: turn.sessionKey, seq: 99, state: "final" });
    };
    host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    relay.sendControl(start("q1", "chat-q"));
    await relay.waitFor(() => relay.runs.get("q1")?.exit !== undefined, "the turn's exit");
    const lines = relay.run("q1").lines.map((line) => JSON.parse(line));
    expect(lines).toEqual(capturePayloads("final.jsonl").map((payload, index) => ({ event: "agent", ...withoutRunningText(payload), runId: resumedRun, sessionKey: "agent:main:agent-chat-q", seq: index + 1 })));
    expect(relay.run("q1").exit).toMatchObject({ code: 0 });
    expect(relay.run("q1").exit?.error).toBeUndefined();
  });

  it("refuses a gateway that speaks another protocol version, naming both, and never says hello to the relay", async () => {
    const relay = await edge();
    const gw = await gateway();
    gw.protocol = 5;
    const running = host(relay, gw);
    const exit = await running.exited;
    expect(exit.code).toBe(5);
    expect(running.log).toContain(
      `agent-host: the openclaw gateway at ${gw.url} speaks protocol 5, and this agent-host speaks protocol 4 (@openclaw/gateway-client 2026.9.1)`,
    );
    expect(gw.refusedConnects).toEqual(["protocol mismatch"]);
    expect(relay.hellos).toEqual([]);
  });
});

describe("exec approvals through the gateway adapter", () => {
  /** A turn whose exec tool asks first, as openclaw does with `tools.exec.ask`: the tool runs only if allowed. */
  function execAsking(expiresInMs?: number) {
    return async (turn: Turn) => {
      turn.agent({ stream: "lifecycle", data: { phase: "start" } });
      turn.agent({ stream: "tool", data: { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "ls /" } } });
      const decision = await turn.requestApproval({ toolCallId: "call_1", command: "ls /", expiresInMs });
      const ran = decision === "allow-once";
      turn.agent({ stream: "tool", data: { phase: "result", name: "exec", toolCallId: "call_1", isError: !ran, result: ran ? "bin\netc" : "exec denied" } });
      turn.agent({ stream: "lifecycle", data: { phase: "end" } });
      turn.chat("final");
    };
  }

  async function waitingTurn(runId: string, expiresInMs?: number) {
    const relay = await edge();
    const gw = await gateway();
    gw.script = execAsking(expiresInMs);
    const running = host(relay, gw);
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    relay.sendControl(start(runId, `chat-${runId}`));
    await relay.waitFor(() => (relay.runs.get(runId)?.lines ?? []).some((line) => line.includes("exec.approval.requested")), "the approval request line");
    const parsed = () => relay.run(runId).lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requested = parsed().find((line) => line.event === "exec.approval.requested")!;
    return { relay, gw, running, parsed, approvalId: String(requested.id), requested };
  }

  it("writes the gateway's request as a line and resolves it with allow-once when the edge says approved", async () => {
    const { relay, gw, parsed, approvalId, requested } = await waitingTurn("ap1");
    expect(requested).toMatchObject({
      event: "exec.approval.requested",
      request: { command: "ls /", toolCallId: "call_1", runId: "ap1", allowedDecisions: ["allow-once", "deny"] },
      createdAtMs: expect.any(Number),
      expiresAtMs: expect.any(Number),
    });
    relay.sendRun("ap1", { type: "approval", approvalId, approved: true });
    await relay.waitFor(() => relay.run("ap1").exit !== undefined, "the turn's exit");
    expect(gw.calls("exec.approval.resolve")).toEqual([{ id: approvalId, decision: "allow-once" }]);
    const lines = parsed();
    const resolved = lines.find((line) => line.event === "exec.approval.resolved");
    expect(resolved).toEqual({ event: "exec.approval.resolved", id: approvalId, decision: "allow-once", resolvedBy: "agent-relay host", ts: expect.any(Number) });
    // In order: the request, its outcome, then the command's result.
    const order = lines.map((line) => (line.event === "agent" ? `${line.stream}` : String(line.event)));
    expect(order.indexOf("exec.approval.requested")).toBeLessThan(order.indexOf("exec.approval.resolved"));
    expect(lines.at(-2)).toMatchObject({ stream: "tool", data: { phase: "result", isError: false } });
    expect(relay.run("ap1").exit).toMatchObject({ code: 0 });
    // Asked once after hello-ok for requests made while the host was not connected.
    expect(gw.calls("exec.approval.list")).toEqual([{}]);
  });

  it("resolves with deny (the reason stays on the outcome line), and the command does not run", async () => {
    const { relay, gw, parsed, approvalId } = await waitingTurn("ap2");
    relay.sendRun("ap2", { type: "approval", approvalId, approved: false, reason: "not on prod" });
    await relay.waitFor(() => relay.run("ap2").exit !== undefined, "the turn's exit");
    expect(gw.calls("exec.approval.resolve")).toEqual([{ id: approvalId, decision: "deny" }]);
    expect(parsed().find((line) => line.event === "exec.approval.resolved")).toMatchObject({ id: approvalId, decision: "deny", reason: "not on prod" });
    expect(parsed().at(-2)).toMatchObject({ stream: "tool", data: { phase: "result", isError: true } });
  });

  it("says expired when nobody answers before openclaw's deadline", async () => {
    const { relay, gw, parsed, approvalId } = await waitingTurn("ap3", 400);
    await relay.waitFor(() => relay.run("ap3").exit !== undefined, "the turn's exit");
    const outcomes = parsed().filter((line) => line.event === "exec.approval.resolved");
    expect(outcomes).toEqual([{ event: "exec.approval.resolved", id: approvalId, decision: "deny", resolvedBy: null, ts: expect.any(Number), expired: true }]);
    expect(gw.calls("exec.approval.resolve")).toEqual([]);
  });
});

describe("agent host with a gateway it starts itself", () => {
  const FAKE_OPENCLAW = fileURLToPath(new URL("./fixtures/fake-openclaw", import.meta.url));
  type Entry = { started?: number; args?: string[]; env?: Record<string, string>; request?: { method: string; params: unknown } };
  const entries = (file: string): Entry[] =>
    existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Entry) : [];
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("starts openclaw's gateway on loopback, turns its heartbeats off, restarts it when it dies, and stops it with the host", async () => {
    const relay = await edge();
    const dir = mkdtempSync(join(tmpdir(), "agent-host-managed-"));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const logFile = join(dir, "gateway.jsonl");
    const { OPENCLAW_GATEWAY_URL: _u, OPENCLAW_GATEWAY_TOKEN: _t, OPENCLAW_GATEWAY_PORT: _p, ...base } = process.env;
    const running = startHost(["--url", relay.url, "--host-id", "test-host", "--openclaw-bin", FAKE_OPENCLAW], {
      ...base,
      RELAY_HOST_TOKEN: TOKEN,
      AGENT_RELAY_STATE_DIR: join(dir, "state"),
      // openclaw's settings name no gateway: the host runs its own
      OPENCLAW_CONFIG_PATH: join(dir, "openclaw.json"),
      FAKE_OPENCLAW_NODE: process.execPath,
      FAKE_GATEWAY_LOG: logFile,
    });
    cleanup(() => running.stop());

    await relay.waitFor(() => relay.hellos.length > 0, "hello once the gateway is up");
    const [first] = entries(logFile);
    expect(first?.args).toEqual(["gateway", "run", "--port", expect.any(String), "--bind", "loopback", "--auth", "token", "--token", expect.any(String), "--allow-unconfigured"]);
    expect(first?.env).toMatchObject({ OPENCLAW_DISABLE_BONJOUR: "1", OPENCLAW_NO_RESPAWN: "1", OPENCLAW_SKIP_CHANNELS: "1" });
    await relay.waitFor(() => entries(logFile).some((entry) => entry.request?.method === "set-heartbeats"), "set-heartbeats");
    expect(entries(logFile).find((entry) => entry.request?.method === "set-heartbeats")?.request?.params).toEqual({ enabled: false });

    relay.sendControl({ ...start("m1", "chat-m"), message: "stall please" });
    await relay.waitFor(() => (relay.runs.get("m1")?.lines.length ?? 0) >= 3, "the first words");
    process.kill(first!.started!, "SIGKILL");
    await relay.waitFor(() => relay.run("m1").exit !== undefined, "the cut turn's exit", 5_000);
    expect(relay.run("m1").exit?.error).toMatch(/^lost the openclaw gateway mid-turn/);
    await running.waitForLog(/openclaw gateway: stopped after .* \(signal SIGKILL\); restarting in/);

    await relay.waitFor(() => entries(logFile).filter((entry) => entry.started).length === 2, "a second gateway process", 20_000);
    relay.sendControl(start("m2", "chat-m"));
    await relay.waitFor(() => relay.runs.get("m2")?.exit !== undefined, "the next turn's exit", 30_000);
    expect(relay.run("m2").exit, running.log).toMatchObject({ code: 0 });
    expect(relay.run("m2").lines).toHaveLength(capturePayloads("final.jsonl").length);

    const second = entries(logFile).filter((entry) => entry.started)[1]!.started!;
    expect(alive(second)).toBe(true);
    await running.stop();
    expect((await running.exited).code).toBe(0);
    expect(alive(second)).toBe(false);
  }, 60_000);
});
