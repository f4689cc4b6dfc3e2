// Opt-in: `npm run test:openclaw`. Runs the REAL openclaw CLI (npm `openclaw`, Node >= 24.16) through the
// openclaw adapter, offline, against a fake OpenAI-compatible model server on 127.0.0.1 that answers with a
// tool call (exec) and then a reply. Checks that the reply and the tool call come out as agent lines.
// Skipped (with a message) when `openclaw` is not on PATH; skipped silently outside `npm run test:openclaw`.
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPENCLAW_COMMAND, openclawAdapter } from "../src/adapters/openclaw.ts";

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

/** One OpenAI chat-completion chunk as an SSE event. */
const chunk = (delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: "fake-1", object: "chat.completion.chunk", created: 0, model: "fake-model", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

/** First turn: a tool call to exec; once a tool result is in the conversation: the final answer. */
async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body = "";
  for await (const part of request) body += part;
  const messages = (JSON.parse(body || "{}").messages ?? []) as { role: string }[];
  response.writeHead(200, { "content-type": "text/event-stream" });
  if (messages.some((message) => message.role === "tool")) {
    response.write(chunk({ role: "assistant", content: "The command printed " }));
    response.write(chunk({ content: "hi from exec." }));
    response.write(chunk({}, "stop"));
  } else {
    response.write(chunk({ role: "assistant", content: "Let me run it." }));
    const call = { index: 0, id: "call_fake_1", type: "function", function: { name: "exec", arguments: JSON.stringify({ command: "echo hi from exec" }) } };
    response.write(chunk({ tool_calls: [call] }));
    response.write(chunk({}, "tool_calls"));
  }
  response.end("data: [DONE]\n\n");
}

describe.runIf(live && openclaw)("the real openclaw CLI through the openclaw adapter", () => {
  const server = createServer((request, response) => void answer(request, response));
  let home = "";

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    home = mkdtempSync(join(tmpdir(), "agent-host-openclaw-live-"));
    const workspace = join(home, "workspace");
    mkdirSync(join(workspace, ".openclaw"), { recursive: true });
    writeFileSync(join(workspace, ".openclaw", "settings.json"), JSON.stringify({ retry: { provider: { maxRetries: 0 } } }));
    const model = { id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 };
    const config = {
      models: { mode: "replace", providers: { fake: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "x", api: "openai-completions", models: [model] } } },
      agents: { defaults: { model: { primary: "fake/fake-model" }, workspace } },
    };
    writeFileSync(join(home, "openclaw.json"), JSON.stringify(config, null, 2));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("streams the tool call and the reply as agent lines, and exits 0", { timeout: 180_000 }, async () => {
    const adapter = openclawAdapter({
      command: [...DEFAULT_OPENCLAW_COMMAND],
      cwd: join(home, "workspace"),
      env: { HOME: home, OPENCLAW_CONFIG_PATH: join(home, "openclaw.json"), OPENCLAW_STATE_DIR: join(home, "state") },
    });
    const lines: string[] = [];
    const request = { type: "start", sessionId: "live", runId: "live-1", message: "Run echo hi from exec", agentSessionId: "live-session" } as const;
    const exit = await adapter(request, (more) => lines.push(...more)).exited;
    const events = lines.map((line) => JSON.parse(line));
    expect(exit, exit.stderrTail).toMatchObject({ code: 0 });
    expect(events.every((event) => event.event === "agent")).toBe(true);
    expect(events.some((event) => event.stream === "tool" && event.data?.phase === "start" && event.data?.name === "exec")).toBe(true);
    const text = events.filter((event) => event.stream === "assistant").map((event) => event.data?.delta ?? "").join("");
    expect(text).toContain("hi from exec.");
    expect(events.at(-1)).toMatchObject({ stream: "lifecycle", data: { phase: "end" } });
  });
});
