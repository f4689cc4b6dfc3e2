// The host as a user gets it: `npm pack` of the agent-host workspace (prepack builds it to JavaScript),
// the tarball installed into an empty folder outside the repository (its dependencies from npm's
// cache), and the installed `agent-relay-host` command answering a chat through `wrangler dev`.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import type { UIMessage } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_AGENT, waitForHosts } from "../support/agent-host-process.ts";
import { spawnGroup, type GroupProcess } from "../support/process-group.ts";
import { consumeWithAiSdk, readRunResiliently } from "../support/sse-reader.ts";
import { PROJECT_ROOT, WranglerDev } from "../support/wrangler-dev.ts";

const run = promisify(execFile);
const relay = new WranglerDev();
const work = mkdtempSync(join(tmpdir(), "agent-relay-host-package-"));
const app = join(work, "app");
const tokenFile = join(work, "host-token");
const FAKE_OPENCLAW = join(PROJECT_ROOT, "agent-host/test/fixtures/fake-openclaw.mjs");
let host: GroupProcess | undefined;

/**
 * This process's environment without what an enclosing `npm test` set (npm_config_local_prefix and
 * friends would point npm at the repository), with this Node first on PATH for `#!/usr/bin/env node`.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, PATH: [dirname(process.execPath), env.PATH].join(delimiter) };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env: userEnvironment(), maxBuffer: 16 * 2 ** 20 });
  return stdout;
}

async function packAndInstall(): Promise<string> {
  const [packed] = JSON.parse(await npm(["pack", "--workspace", "agent-host", "--pack-destination", work, "--json"], PROJECT_ROOT)) as { filename: string }[];
  mkdirSync(app);
  await npm(["install", join(work, packed!.filename), "--prefer-offline"], app);
  return packed!.filename;
}

function startInstalledHost(args: string[], env: NodeJS.ProcessEnv = {}): GroupProcess {
  return spawnGroup(join(app, "node_modules/.bin/agent-relay-host"), ["--url", relay.url, "--host-id", "packaged-host", "--token-file", tokenFile, ...args], {
    cwd: app,
    env: { ...userEnvironment(), ...env },
  });
}

/** Stops the host and waits until the relay has seen it go, so the next one is the only host. */
async function stopHost(): Promise<void> {
  await host?.stop();
  host = undefined;
  const deadline = Date.now() + 20_000;
  while ((await relay.hostsConnected()) > 0) {
    if (Date.now() > deadline) throw new Error("the relay still counts the stopped host after 20 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends `text` as a new chat's first message; returns the answer as the AI SDK builds it, checked equal to the stored one. */
async function chat(sessionId: string, text: string): Promise<UIMessage> {
  const response = await fetch(`${relay.url}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${relay.relayToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${sessionId}`, role: "user", parts: [{ type: "text", text }] }], trigger: "submit-message" }),
  });
  expect(response.status).toBe(200);
  const { events } = await readRunResiliently(response, (lastEventId) =>
    fetch(`${relay.url}/api/chat/${sessionId}/stream`, { headers: { authorization: `Bearer ${relay.relayToken}`, "last-event-id": String(lastEventId) } }),
  );
  const answer = await consumeWithAiSdk(events);
  expect(await relay.storedAnswer(sessionId)).toEqual(answer);
  return answer;
}

function answerText(message: UIMessage): string {
  return message.parts.map((part) => (part.type === "text" ? part.text : "")).join("");
}

beforeAll(async () => {
  writeFileSync(tokenFile, relay.hostToken, { mode: 0o600 });
  await Promise.all([relay.start(), packAndInstall()]);
});

afterAll(async () => {
  await host?.stop();
  await relay.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe("the packed agent-relay-host, installed in an empty folder", () => {
  it("installs only itself and what it runs, as JavaScript", () => {
    type Entry = { dependencies?: Record<string, string>; optional?: boolean };
    const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8")) as { packages: Record<string, Entry> };
    const installed = Object.keys(lock.packages).filter((path) => path !== "").sort();
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "agent-host/package.json"), "utf8")) as { dependencies: Record<string, string>; optionalDependencies: Record<string, string> };
    // The host, what it declares, and what those need in turn (npm hoists them all to the top here).
    const needed = new Set(["agent-relay-host"]);
    const pending = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.optionalDependencies)];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (needed.has(name)) continue;
      needed.add(name);
      pending.push(...Object.keys(lock.packages[`node_modules/${name}`]?.dependencies ?? {}));
    }
    expect(installed).toEqual([...needed].map((name) => `node_modules/${name}`).sort());
    expect(installed.length).toBeLessThan(20);
    const bin = realpathSync(join(app, "node_modules/.bin/agent-relay-host"));
    expect(bin).toBe(realpathSync(join(app, "node_modules/agent-relay-host/dist/cli.js")));
  });

  it("masks its WebSocket frames natively there: ws finds bufferutil's prebuilt binding", () => {
    // Optional: where it cannot load, ws masks in JavaScript (slower, same bytes). Where bufferutil ships a
    // prebuilt binding (linux-x64 among them), it must load, or the host's frames cost the CPU it saves.
    const requireFromWs = createRequire(join(app, "node_modules/ws/package.json"));
    expect(requireFromWs.resolve("bufferutil")).toBe(join(realpathSync(app), "node_modules/bufferutil/index.js"));
    const prebuilt = existsSync(join(app, `node_modules/bufferutil/prebuilds/${process.platform}-${process.arch}`));
    if (prebuilt) expect((requireFromWs("bufferutil") as { mask: () => void }).mask.toString()).toContain("[native code]");
  });

  it("runs from there with the fixture agent and answers a chat end to end", async () => {
    host = startInstalledHost(["--agent", "jsonl", "--command", JSON.stringify([process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", "5"])]);
    await waitForHosts(() => relay.hostsConnected(), 1, host);

    const text = "hello from the packed host";
    const answer = await chat("packaged", text);
    expect(answerText(answer).trim()).toBe(text);
    expect(host.output()).toContain("control: connected to");
    await stopHost();
  });

  it("runs openclaw through its preload module, shipped next to the bundle", async () => {
    expect(existsSync(join(app, "node_modules/agent-relay-host/dist/openclaw-preload.mjs"))).toBe(true);
    host = startInstalledHost(["--agent", "openclaw-cli", "--command", JSON.stringify([process.execPath, FAKE_OPENCLAW, "agent", "--session-id={session}", "--message={message}", "--json"])], {
      FAKE_OPENCLAW_EVENTS: join(PROJECT_ROOT, "test/fixtures/openclaw-events/final.jsonl"),
    });
    await waitForHosts(() => relay.hostsConnected(), 1, host);
    const answer = await chat("packaged-openclaw", "read the file");
    // the bus events reached the relay: only the preload module writes them
    expect(answerText(answer)).toContain("Let me read the file.");
    expect(answerText(answer)).not.toContain("[error]");
    await stopHost();
  });

  it("service install from the installed package writes a unit that runs the installed dist/cli.js", async () => {
    const home = join(work, "home");
    const bin = join(work, "fake-bin");
    mkdirSync(home);
    mkdirSync(bin);
    writeFileSync(join(bin, "systemctl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const { stdout } = await run(join(app, "node_modules/.bin/agent-relay-host"), ["service", "install", "--url", relay.url, "--cwd", app, "--token-file", tokenFile], {
      // XDG_CONFIG_HOME: the offline wrangler environment points it into the repository
      env: { ...userEnvironment(), HOME: home, XDG_CONFIG_HOME: undefined, PATH: [bin, dirname(process.execPath)].join(delimiter) },
    });
    expect(stdout).toContain("agent-relay-host.service is enabled and started");
    const unit = readFileSync(join(home, ".config/systemd/user/agent-relay-host.service"), "utf8");
    const entry = realpathSync(join(app, "node_modules/agent-relay-host/dist/cli.js"));
    expect(unit).toContain(`ExecStart=${process.execPath} ${entry} --url=${relay.url} --cwd=${app} --token-file=${join(home, ".config/agent-relay/host-token")}\n`);
    expect(readFileSync(join(home, ".config/agent-relay/host-token"), "utf8").trim()).toBe(relay.hostToken);
  });
});
