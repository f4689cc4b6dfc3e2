// Opt-in: `npm run test:openclaw`. The whole path with the REAL openclaw CLI (npm `openclaw`, Node >= 24.16),
// offline: a fake OpenAI-compatible model server on 127.0.0.1 -> `openclaw agent` -> the agent host process
// (openclaw adapter) -> `wrangler dev` -> `POST /api/chat`, read like a browser with the AI SDK's consumer.
// Checks that the model's reply and its tool call (the real `read` tool, on a file in the workspace) reach
// the browser's message and equal the persisted message; that a second chat is refused while a turn runs;
// that Stop ends the CLI and its children; that an invalid config and a provider failure are visible.
// Skipped (with a message) when `openclaw` is not on PATH; skipped silently outside `npm run test:openclaw`.
import { randomUUID } from "node:crypto";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { UIMessage } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentHost, waitForHosts } from "../../test/support/agent-host-process.ts";
import { pidsWithArgument } from "../../test/support/find-process.ts";
import type { GroupProcess } from "../../test/support/process-group.ts";
import { consumeWithAiSdk, eventIds, readRunResiliently } from "../../test/support/sse-reader.ts";
import { WranglerDev } from "../../test/support/wrangler-dev.ts";
import { STALL_TEXT, startFakeModelServer, type FakeModelServer } from "./support/fake-model-server.ts";
import { waitUntil } from "./support/fixture-agent.ts";

const live = process.env.RELAY_OPENCLAW_LIVE === "1";
const openclaw = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "openclaw")).find(isExecutable);
if (live && !openclaw) {
  console.warn("test:openclaw SKIPPED: `openclaw` is not on PATH. Install it (npm i -g openclaw, Node >= 24.16) to run this test.");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An openclaw turn takes 10-25 s here, mostly start-up; a provider failure about as long. */
const TURN_TIMEOUT_MS = 90_000;
const NOTES = "The launch code is tangerine-42.\n";
// openclaw shows the text before a tool call either as assistant text or as an `item` preamble (which
// the page does not show), from run to run: only the tool call and the final answer are checked.
const script = {
  preamble: "Let me read the notes.",
  toolCall: { name: "read", arguments: { path: "notes.txt" } },
  answer: (toolResult: string) => `The notes say: ${toolResult.trim()}`,
};

/**
 * This process's environment without what vitest adds to it. openclaw switches to a test mode when it
 * sees VITEST or NODE_ENV=test (e.g. silent logs, no `--json` object for a bad config), so the agent
 * host must run it the way a person's shell would.
 */
function withoutVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const vitestOnly = (key: string, value: string | undefined) =>
    key.startsWith("VITEST") || ["TEST", "MODE", "FORCE_TTY"].includes(key) || (key === "NODE_ENV" && value === "test");
  return Object.fromEntries(Object.entries(env).filter(([key, value]) => !vitestOnly(key, value)));
}

/**
 * openclaw's home for this test, all in one temporary directory: its config (the fake provider, in
 * "replace" mode so no real provider is known), its state, and a workspace (also the CLI's cwd) with a
 * file for the read tool and provider retries switched off (a failure then takes ~17 s, not ~77 s).
 */
function openclawHome(baseUrl: string): { home: string; workspace: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), "openclaw-live-home-"));
  const workspace = join(home, "workspace");
  mkdirSync(join(workspace, ".openclaw"), { recursive: true });
  writeFileSync(join(workspace, ".openclaw", "settings.json"), JSON.stringify({ retry: { provider: { maxRetries: 0 } } }));
  writeFileSync(join(workspace, "notes.txt"), NOTES);
  const model = { id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 };
  const config = {
    models: { mode: "replace", providers: { fake: { baseUrl, apiKey: "x", api: "openai-completions", models: [model] } } },
    agents: { defaults: { model: { primary: "fake/fake-model" }, workspace } },
  };
  writeFileSync(join(home, "openclaw.json"), JSON.stringify(config, null, 2));
  return { home, workspace, env: { HOME: home, OPENCLAW_CONFIG_PATH: join(home, "openclaw.json"), OPENCLAW_STATE_DIR: join(home, "state") } };
}

describe.runIf(live && openclaw)("the real openclaw CLI, end to end through the agent host and wrangler dev", () => {
  const relay = new WranglerDev();
  let model: FakeModelServer;
  let host: GroupProcess;
  let home = "";
  let configPath = "";

  beforeAll(async () => {
    model = await startFakeModelServer(script);
    const { workspace, env, ...paths } = openclawHome(model.baseUrl);
    home = paths.home;
    configPath = env.OPENCLAW_CONFIG_PATH!;
    await relay.start();
    host = startAgentHost({
      url: relay.url,
      token: relay.hostToken,
      agent: "openclaw",
      env: withoutVitest(process.env),
      extraArgs: ["--cwd", workspace, ...Object.entries(env).flatMap(([key, value]) => ["--env", `${key}=${value}`])],
    });
    await waitForHosts(() => relay.hostsConnected(), 1, host);
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    await relay.dispose();
    await model?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Sends a message like the page does; returns the stream's response. */
  async function send(sessionId: string, text: string): Promise<Response> {
    const response = await relay.api("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${sessionId}`, role: "user", parts: [{ type: "text", text }] }], trigger: "submit-message" }),
    });
    if (response.status !== 200) throw new Error(`POST /api/chat answered ${response.status}: ${await response.text()}`);
    return response;
  }

  /**
   * Reads the stream to [DONE] like a browser that resumes (Last-Event-ID) when its connection breaks,
   * e.g. when `wrangler dev` reloads because web/dist was rebuilt; builds the message with the AI SDK.
   */
  async function read(sessionId: string, response: Response): Promise<UIMessage> {
    const resume = (lastEventId: number) => relay.api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(lastEventId) } });
    const { events, reattached } = await readRunResiliently(response, resume);
    if (reattached > 0) console.info(`test:openclaw: ${sessionId}: the stream broke and was resumed ${reattached} time(s)`);
    const ids = eventIds(events);
    expect(ids, "every event once, in order").toEqual(ids.map((_, i) => i + 1));
    return consumeWithAiSdk(events);
  }

  /** One turn, and how long it took from POST to [DONE]. */
  async function chat(sessionId: string, text: string): Promise<{ message: UIMessage; seconds: number }> {
    const started = Date.now();
    const message = await read(sessionId, await send(sessionId, text));
    return { message, seconds: (Date.now() - started) / 1000 };
  }

  const texts = (message: UIMessage) => message.parts.flatMap((part) => (part.type === "text" ? [part.text] : []));

  it("streams the model's reply and the read tool's call and output to the browser", { timeout: TURN_TIMEOUT_MS }, async () => {
    const { message, seconds } = await chat("openclaw-live-read", "What do my notes say?");
    console.info(`test:openclaw: a turn with one tool call took ${seconds.toFixed(1)} s from POST to [DONE]`);

    // The read tool really ran on the workspace file, and its result went back to the model.
    expect(model.toolResults.join("\n")).toContain(NOTES.trim());
    const tools = message.parts.filter((part) => part.type === "dynamic-tool");
    expect(tools, host.output()).toHaveLength(1);
    expect(tools[0]).toMatchObject({ toolName: "read", input: { path: "notes.txt" }, state: "output-available" });
    expect(JSON.stringify(tools[0]!.state === "output-available" ? tools[0]!.output : null)).toContain("tangerine-42");

    expect(texts(message).join("")).toContain(`The notes say: ${NOTES.trim()}`);
    expect(texts(message).join("")).not.toContain("[error]");
    expect(message.metadata).toMatchObject({ status: "completed", exitCode: 0 });
    expect(await relay.storedAnswer("openclaw-live-read")).toEqual(message);
  });

  it("refuses a second chat while a turn runs; Stop ends the real CLI mid-stream, keeping the partial text", { timeout: TURN_TIMEOUT_MS }, async () => {
    model.answerWith("stall");
    const marker = `stop-me-${randomUUID()}`;
    const requestsBefore = model.requests;
    const response = await send("openclaw-live-stop", marker);
    await waitUntil(() => model.requests > requestsBefore, "openclaw to call the model", TURN_TIMEOUT_MS / 2);
    expect(pidsWithArgument(marker).length, "openclaw runs with the message in its argv").toBeGreaterThan(0);

    // One openclaw turn at a time by default (its state directory has one owner): said at once.
    const { message: refused } = await chat("openclaw-live-busy", "And another thing?");
    expect(texts(refused)).toEqual([expect.stringMatching(/^\[error\] .*busy: it runs at most 1 agent at once \(--max-runs\)/)]);

    const stopped = Date.now();
    expect(await (await relay.api("/api/chat/openclaw-live-stop/abort", { method: "POST" })).json()).toEqual({ aborted: true });
    const message = await read("openclaw-live-stop", response);
    console.info(`test:openclaw: Stop to [DONE] took ${((Date.now() - stopped) / 1000).toFixed(1)} s`);

    expect(message.metadata).toMatchObject({ status: "aborted" });
    expect(texts(message).join("")).toBe(STALL_TEXT);
    expect(pidsWithArgument(marker)).toEqual([]);
    expect(await relay.storedAnswer("openclaw-live-stop")).toEqual(message);
  });

  it("shows why openclaw cannot run: its own reason for an invalid config", { timeout: TURN_TIMEOUT_MS }, async () => {
    const config = readFileSync(configPath, "utf8");
    writeFileSync(configPath, "{ models: ");
    try {
      const { message } = await chat("openclaw-live-bad-config", "Hello?");
      expect(texts(message)).toEqual([expect.stringMatching(/^\[error\] OpenClaw config is invalid: .*JSON5 parse failed/)]);
      expect(message.metadata).toMatchObject({ status: "error", exitCode: 1 });
    } finally {
      writeFileSync(configPath, config);
    }
  });

  // Last: a 401 puts the provider in a cooldown in openclaw's state.
  it("shows a provider failure (HTTP 401) as an [error] part", { timeout: TURN_TIMEOUT_MS }, async () => {
    model.answerWith({ status: 401 });
    const requestsBefore = model.requests;
    const { message, seconds } = await chat("openclaw-live-401", "Hello?");
    console.info(`test:openclaw: a turn failing with HTTP 401 took ${seconds.toFixed(1)} s from POST to [DONE]`);

    expect(model.requests).toBeGreaterThan(requestsBefore);
    const errors = texts(message).filter((text) => text.startsWith("[error]"));
    expect(errors, JSON.stringify(message.parts)).toHaveLength(1);
    expect(errors[0]).toMatch(/401/);
    expect(message.metadata).toMatchObject({ status: "error", exitCode: 1 });
    expect(await relay.storedAnswer("openclaw-live-401")).toEqual(message);
  });
});
