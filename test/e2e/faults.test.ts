// Fault injection and hostile agent output on the whole system (wrangler dev + agent host + fixture
// agent). Each case ends with the browser's final message equal to what the agent wrote (or, where the
// agent was stopped, to what it wrote until then), no gap, no duplicate, and the persisted message equal
// to the streamed one.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { FIXTURE_AGENT, startAgentHost, waitForHosts } from "../support/agent-host-process.ts";
import { pidsWithArgument } from "../support/find-process.ts";
import type { GroupProcess } from "../support/process-group.ts";
import { collectEvents, consumeWithAiSdk, eventIds, readRunResiliently, type SseEvent } from "../support/sse-reader.ts";
import { WranglerDev } from "../support/wrangler-dev.ts";

const HOST_GRACE_MS = 3_000;
const RUN_SILENCE_MS = 1_500;
const relay = new WranglerDev({ vars: { HOST_GRACE_MS: String(HOST_GRACE_MS), RUN_SILENCE_MS: String(RUN_SILENCE_MS) } });
let host: GroupProcess;

// The fixture agent takes its options from the user's message (a JSON array), so each case asks for
// the agent it needs: an answer word by word, or a burst as fast as the pipe takes it.
const COMMAND = [process.execPath, FIXTURE_AGENT, "--args-json", "{message}"];
const sayEvery10ms = (text: string) => JSON.stringify(["--delay", "10", "--say", text]);

async function startHost(): Promise<void> {
  host = startAgentHost({ url: relay.url, token: relay.hostToken, command: COMMAND });
  await waitForHosts(() => relay.hostsConnected(), 1, host);
}

beforeAll(async () => {
  await relay.start();
  await startHost();
});

afterAll(async () => {
  await host?.stop();
  await relay.dispose();
});

function words(count: number, tag: string): string {
  return Array.from({ length: count }, (_, i) => `${tag}${i}`).join(" ");
}

function post(sessionId: string, text: string): Promise<Response> {
  return relay.api("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${sessionId}`, role: "user", parts: [{ type: "text", text }] }] }),
  });
}

const resume = (sessionId: string) => (lastEventId: number) =>
  relay.api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(lastEventId) } });

const textOf = (message: UIMessage) => message.parts.map((part) => (part.type === "text" ? part.text : "")).join("");

function expectContiguous(events: SseEvent[]): void {
  const ids = eventIds(events);
  expect(ids).toEqual(ids.map((_, i) => i + 1));
}

/** The streamed message equals the stored one; returns it. */
async function checkPersisted(sessionId: string, events: SseEvent[]): Promise<UIMessage> {
  expectContiguous(events);
  const consumed = await consumeWithAiSdk(events);
  expect(await relay.storedAnswer(sessionId)).toEqual(consumed);
  return consumed;
}

describe("hostile agent output through the real host", () => {
  it("skips a 10 MB line and garbage, shows invalid UTF-8 as replacement characters, and loses nothing around them", async () => {
    const line = (delta: string) => JSON.stringify({ event: "agent", stream: "assistant", data: { delta } });
    const file = join(mkdtempSync(join(tmpdir(), "hostile-agent-")), "out.jsonl");
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${line("before ")}\n`),
        Buffer.from(`${line("x".repeat(10 * 1024 * 1024))}\n`),
        Buffer.from(`${line("between ")}\n{"event":"agent","stream":\nnot json at all\r\n`),
        Buffer.from('{"event":"agent","stream":"assistant","data":{"delta":"bad '),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(' bytes "}}\n'),
        Buffer.from(`${line("after")}\n`),
      ]),
    );
    const response = await post("hostile-agent", JSON.stringify(["--file", file]));
    const { events } = await readRunResiliently(response, resume("hostile-agent"));
    const consumed = await checkPersisted("hostile-agent", events);
    expect(textOf(consumed)).toBe("before between bad \uFFFD\uFFFD\uFFFD bytes after");
    expect(consumed.metadata).toMatchObject({ status: "completed", skippedLines: 3 });
    rmSync(dirname(file), { recursive: true, force: true });
  });
});

describe("fault injection", () => {
  it("a browser that disconnects and re-attaches with Last-Event-ID several times misses nothing", async () => {
    const text = words(120, "reattach");
    const events: SseEvent[] = [];
    let response = await post("fault-reattach", sayEvery10ms(text));
    for (let drop = 0; drop < 4; drop++) {
      // Read a little, then drop the connection the way a tab losing its network does.
      const target = events.length + 15;
      const done = await collectEvents(response.body!, (event) => events.push(event) >= target);
      expect(done).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 150));
      response = await resume("fault-reattach")(eventIds(events).at(-1)!);
      expect(response.status).toBe(200);
    }
    const rest = await readRunResiliently(response, resume("fault-reattach"));
    const all = [...events, ...rest.events];
    expect(all.at(-1)!.data).toBe("[DONE]");
    expect(textOf(await checkPersisted("fault-reattach", all)).trim()).toBe(text);
  });

  it("an abort during a burst stops the run, keeps what was written, and ends every stream", async () => {
    // The agent writes 100,000 deltas as fast as the pipe takes them and would then run on until stopped.
    const response = await post("fault-burst", JSON.stringify(["--burst", "100000", "--hang"]));
    const events: SseEvent[] = [];
    let aborted = false;
    let deltasSeen = 0; // the edge merges a frame's deltas into one event: count the words
    const reading = collectEvents(response.body!, (event) => {
      events.push(event);
      if (event.data.startsWith('{"type":"text-delta"')) deltasSeen += (JSON.parse(event.data) as { delta: string }).delta.split(" ").length - 1;
      if (!aborted && deltasSeen >= 2_000) {
        aborted = true;
        void relay.api("/api/chat/fault-burst/abort", { method: "POST" });
      }
    });
    expect(await reading).toBe(true);
    const consumed = await checkPersisted("fault-burst", events);
    expect(consumed.metadata).toMatchObject({ status: "aborted" });
    const text = textOf(consumed);
    // Whatever made it before the stop is there, in order, each delta once.
    const deltas = text.trim().split(" ");
    expect(deltas.length).toBeGreaterThan(1_000);
    expect(deltas.length).toBeLessThanOrEqual(100_000);
    expect(deltas).toEqual(deltas.map((_, i) => `w${i + 1}`));
  }, 60_000);

  it("an agent killed by a signal ends the run with a visible error, keeping its partial answer", async () => {
    const marker = `killme${Date.now()}`;
    const text = `${marker} ${words(200, "sig")}`;
    const response = await post("fault-signal", sayEvery10ms(text));
    const reading = readRunResiliently(response, resume("fault-signal"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const agents = pidsWithArgument(marker).filter((pid) => pid !== host.child.pid);
    expect(agents.length).toBeGreaterThan(0);
    for (const pid of agents) process.kill(pid, "SIGKILL");
    const { events } = await reading;
    const consumed = await checkPersisted("fault-signal", events);
    const shown = textOf(consumed);
    expect(shown).toContain(`${marker} sig0 sig1`);
    expect(shown).toMatch(/\[error\] .*SIGKILL/);
    expect(consumed.metadata).toMatchObject({ status: "error" });
  });

  it("a host that freezes without closing its sockets (a laptop put to sleep) is given up on, then recovers", async () => {
    const text = words(400, "frozen");
    const response = await post("fault-frozen", sayEvery10ms(text));
    const reading = readRunResiliently(response, resume("fault-frozen"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const frozenAt = Date.now();
    process.kill(host.child.pid!, "SIGSTOP");
    const { events } = await reading;
    const endedAfter = Date.now() - frozenAt;
    process.kill(host.child.pid!, "SIGCONT");
    // Silence, then the grace period for the host to come back: the run ends with a visible error.
    expect(endedAfter).toBeGreaterThan(RUN_SILENCE_MS + HOST_GRACE_MS - 1_000);
    expect(endedAfter).toBeLessThan(RUN_SILENCE_MS + HOST_GRACE_MS + 5_000);
    const consumed = await checkPersisted("fault-frozen", events);
    expect(textOf(consumed)).toContain("frozen0 frozen1");
    expect(textOf(consumed)).toContain(`[error] The agent host disconnected and did not come back within ${HOST_GRACE_MS / 1000} s.`);
    // Awake again, the host stops that agent and takes the next run.
    const next = await post("fault-after-frozen", sayEvery10ms("awake again"));
    const after = await readRunResiliently(next, resume("fault-after-frozen"));
    expect(textOf(await checkPersisted("fault-after-frozen", after.events)).trim()).toBe("awake again");
  }, 30_000);

  it("a host killed outright ends the run with a visible error within the host grace period", async () => {
    const text = words(400, "lost");
    const response = await post("fault-host", sayEvery10ms(text));
    const reading = readRunResiliently(response, resume("fault-host"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const killedAt = Date.now();
    process.kill(-host.child.pid!, "SIGKILL");
    for (const pid of pidsWithArgument("lost399")) process.kill(pid, "SIGKILL");
    const { events } = await reading;
    const endedAfter = Date.now() - killedAt;
    expect(endedAfter).toBeLessThan(HOST_GRACE_MS + 5_000);
    const consumed = await checkPersisted("fault-host", events);
    const shown = textOf(consumed);
    expect(shown).toContain("lost0 lost1");
    expect(shown).toContain(`[error] The agent host disconnected and did not come back within ${HOST_GRACE_MS / 1000} s.`);
    await startHost();
  }, 30_000);
});
