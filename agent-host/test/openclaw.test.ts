import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { StartFrame } from "../../protocol/host.ts";
import { withoutRunningText } from "../../protocol/running-text.ts";
import {
  errorLine,
  EVENTS_FILE_ENV,
  nodeOptionsWithPreload,
  openclawAdapter,
  openclawFailure,
  PRELOAD_URL,
} from "../src/adapters/openclaw.ts";
import { agentLineText } from "../src/run-outbox.ts";
import { OPENCLAW_EVENTS_DIR } from "./support/fixture-agent.ts";

const run = promisify(execFile);
const FAKE_OPENCLAW = fileURLToPath(new URL("./fixtures/fake-openclaw.mjs", import.meta.url));
const capture = (name: string) => join(OPENCLAW_EVENTS_DIR, name);
/** A capture's lines as the adapter yields them: the assistant events without their running text. */
const captureLines = (name: string) =>
  readFileSync(capture(name), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      const trimmed = withoutRunningText(event);
      return trimmed === event ? line : JSON.stringify(trimmed);
    });

/** Run `script` (an ES module) in a Node process with the preload module imported; returns the events file. */
async function withPreload(script: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), "agent-host-preload-")), "events.jsonl");
  await run(process.execPath, [`--import=${PRELOAD_URL}`, "--input-type=module", "-e", script], {
    env: { ...process.env, [EVENTS_FILE_ENV]: file },
  });
  try {
    return readFileSync(file, "utf8").trim().split("\n");
  } catch {
    return [];
  }
}

// The way openclaw 2026.9 creates and uses its bus (src/shared/global-singleton.ts, src/infra/agent-events.ts).
const OPENCLAW_BUS = `
  const key = Symbol.for("openclaw.agentEvents.state");
  function resolveGlobalSingleton(create) {
    if (Object.hasOwn(globalThis, key)) return globalThis[key];
    const created = create();
    globalThis[key] = created;
    return created;
  }
  const bus = () => resolveGlobalSingleton(() => ({
    seqByRun: new Map(), listeners: new Map(), runListeners: new Map(),
    nextListenerId: 0, listenerRevision: 0, auditListeners: new Set(),
  }));
  function emit(event) {
    for (const { listener } of [...bus().listeners.values()].sort((a, b) => a.id - b.id)) listener(event);
  }
`;

describe("openclaw preload module", () => {
  it("writes every bus event as an agent line, and leaves openclaw's singleton as openclaw made it", async () => {
    const lines = await withPreload(`${OPENCLAW_BUS}
      if (Object.hasOwn(globalThis, key)) throw new Error("the preload must not create the bus");
      const state = bus();
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
      if (!descriptor.writable || !descriptor.enumerable || descriptor.value !== state) throw new Error("not a plain property");
      if (bus() !== state) throw new Error("a second lookup must find the same bus");
      const event = { runId: "r", stream: "assistant", data: { delta: "hi" }, seq: 1, ts: 5 };
      Object.defineProperty(event, "lifecycleGeneration", { value: "hidden", enumerable: false });
      emit(event);
      emit({ runId: "r", stream: "lifecycle", data: { phase: "end" }, seq: 2, ts: 6 });
    `);
    expect(lines).toEqual([
      '{"event":"agent","runId":"r","stream":"assistant","data":{"delta":"hi"},"seq":1,"ts":5}',
      '{"event":"agent","runId":"r","stream":"lifecycle","data":{"phase":"end"},"seq":2,"ts":6}',
    ]);
  });

  it("writes openclaw's answers without their running text: the events file grows with an answer, not with its square", async () => {
    const deltas = 2_000;
    const lines = await withPreload(`${OPENCLAW_BUS}
      bus();
      let text = "";
      for (let i = 0; i < ${deltas}; i++) {
        text += "word" + i + " ";
        emit({ runId: "r", stream: "assistant", data: { text, delta: "word" + i + " ", itemId: "i1" }, seq: i + 1, ts: 5 });
      }
    `);
    expect(lines.map((line) => JSON.parse(line).data.delta).join("")).toBe(Array.from({ length: deltas }, (_, i) => `word${i} `).join(""));
    // ~18 KB of text: with the running text the file held 16.6 MB.
    expect(lines.join("\n").length).toBeLessThan(deltas * 200);
  });

  it("finds a bus created some other way (defineProperty) by polling", async () => {
    const lines = await withPreload(`
      const listeners = new Set();
      Object.defineProperty(globalThis, Symbol.for("openclaw.agentEvents.state"), { value: { listeners } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const listener of listeners) listener({ runId: "r", stream: "tool", data: {}, seq: 1, ts: 1 });
    `);
    expect(lines).toEqual(['{"event":"agent","runId":"r","stream":"tool","data":{},"seq":1,"ts":1}']);
  });

  it("says so in a visible error line when the bus has an unknown shape", async () => {
    const lines = await withPreload(`globalThis[Symbol.for("openclaw.agentEvents.state")] = { listeners: [] };`);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { event: "error", data: { message: "agent-host cannot read this openclaw version's events (its event bus has an unknown shape)" } },
    ]);
  });

  it("does nothing in a process started without the events file variable", async () => {
    const { stdout } = await run(process.execPath, [`--import=${PRELOAD_URL}`, "--input-type=module", "-e", `${OPENCLAW_BUS}
      const proto = Object.getPrototypeOf(globalThis);
      console.log(JSON.stringify({ trap: Object.getOwnPropertySymbols(proto).length, bus: typeof bus() }));
    `], { env: { ...process.env, [EVENTS_FILE_ENV]: "" } });
    expect(JSON.parse(stdout)).toEqual({ trap: 0, bus: "object" });
  });
});

describe("openclaw adapter (with a stand-in openclaw CLI)", () => {
  const request: StartFrame = { type: "start", sessionId: "s1", runId: "r1", message: "read the file", agentSessionId: "agent-s1", runSecret: "s".repeat(43) };

  async function runFake(env: Record<string, string>) {
    const adapter = openclawAdapter({
      command: [process.execPath, FAKE_OPENCLAW, "agent", "--session-id", "{session}", "--message", "{message}", "--json"],
      cwd: process.cwd(),
      env,
    });
    const lines: string[] = [];
    const exit = await adapter(request, (more) => lines.push(...more.map(agentLineText))).exited;
    return { lines, exit };
  }

  const tempDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("agent-relay-openclaw-")).length;

  it.each(["final.jsonl", "exec-tool.jsonl"])("yields the captured lines of %s (without the running text), from the CLI's child process", async (name) => {
    const before = tempDirs();
    const { lines, exit } = await runFake({ FAKE_OPENCLAW_EVENTS: capture(name) });
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(lines).toEqual(captureLines(name));
    expect(tempDirs()).toBe(before);
  });

  it("works with the older Set-based bus too", async () => {
    const { lines } = await runFake({ FAKE_OPENCLAW_EVENTS: capture("ok-think-off.jsonl"), FAKE_OPENCLAW_BUS: "set" });
    expect(lines).toEqual(captureLines("ok-think-off.jsonl"));
  });

  it("turns the --json failure object into a visible error line after the events", async () => {
    const { lines, exit } = await runFake({ FAKE_OPENCLAW_EVENTS: capture("e401.jsonl"), FAKE_OPENCLAW_RESULT: "fail" });
    expect(exit.code).toBe(1);
    expect(lines).toEqual([...captureLines("e401.jsonl"), errorLine("Authentication failed (provider returned HTTP 401) (auth)")]);
  });

  it("turns a non-zero exit without a result into an error line with the last stderr line", async () => {
    const { lines, exit } = await runFake({ FAKE_OPENCLAW_RESULT: "crash" });
    expect(exit).toMatchObject({ code: 2, stderrTail: "something went wrong\nboom\n" });
    expect(lines).toEqual([errorLine("openclaw exited with code 2: boom")]);
  });
});

describe("openclawFailure", () => {
  const exit = (code: number | null, signal: string | null = null, stderrTail = "") => ({ code, signal, stderrTail });

  it("is nothing for a successful turn or a turn the user aborted", () => {
    expect(openclawFailure('{"payloads":[],"meta":{}}', exit(0), false)).toBeUndefined();
    expect(openclawFailure("", exit(143), true)).toBeUndefined();
    expect(openclawFailure("", exit(null, "SIGTERM"), true)).toBeUndefined();
  });

  it("prefers the CLI's own failure object, also without a type", () => {
    expect(openclawFailure('{"ok":false,"error":{"type":"timeout","message":"Model timed out"}}', exit(1), false)).toBe("Model timed out (timeout)");
    expect(openclawFailure('{"ok":false,"error":{}}', exit(1), false)).toBe("openclaw reported a failure");
  });

  it("adds the failure object's issues, as openclaw 2026.9.6 prints them for an invalid config", () => {
    const invalidConfig = {
      ok: false,
      error: { type: "cli_error", message: "OpenClaw config is invalid: ~/bad.json" },
      issues: [{ path: "<root>", message: "JSON5 parse failed: SyntaxError: JSON5: invalid end of input at 2:1" }],
    };
    expect(openclawFailure(JSON.stringify(invalidConfig, null, 2), exit(1), false)).toBe(
      "OpenClaw config is invalid: ~/bad.json (cli_error): <root>: JSON5 parse failed: SyntaxError: JSON5: invalid end of input at 2:1",
    );
  });

  it("names an unexpected exit code or signal", () => {
    expect(openclawFailure("not json", exit(1, null, "warn\nError: no config\n"), false)).toBe("openclaw exited with code 1: Error: no config");
    expect(openclawFailure("", exit(null, "SIGKILL"), false)).toBe("openclaw was stopped by SIGKILL");
  });

  it("quotes the launcher's reason, not the advice after it (openclaw 2026.9.6 started by Node 20)", () => {
    const stderr = "openclaw: Node 20.20.2: node:sqlite is unavailable; use 24.16+/26.1+ or a build with the fix.\n"
      + "If you use nvm, run:\n  nvm install 26\n  nvm use 26\n  nvm alias default 26\n";
    expect(openclawFailure("", exit(1, null, stderr), false)).toBe(
      "openclaw exited with code 1: Node 20.20.2: node:sqlite is unavailable; use 24.16+/26.1+ or a build with the fix.",
    );
  });

  it("removes the colours openclaw's log lines carry even when stderr is a pipe", () => {
    const stderr = "\x1B[31m[diagnostic]\x1B[39m \x1B[31mlane task error: boom\x1B[39m\n";
    expect(openclawFailure("", exit(1, null, stderr), false)).toBe("openclaw exited with code 1: [diagnostic] lane task error: boom");
  });

  it("leaves a spawn failure to the exit frame", () => {
    expect(openclawFailure("", { ...exit(null), error: "spawn openclaw ENOENT" }, false)).toBeUndefined();
  });
});

describe("nodeOptionsWithPreload", () => {
  it("adds the preload import and keeps the user's own options", () => {
    expect(nodeOptionsWithPreload(undefined)).toBe(`--import=${PRELOAD_URL}`);
    expect(nodeOptionsWithPreload(" --max-old-space-size=4096 ")).toBe(`--max-old-space-size=4096 --import=${PRELOAD_URL}`);
    expect(PRELOAD_URL).toMatch(/^file:\/\/\S+openclaw-preload\.mjs$/);
  });
});
