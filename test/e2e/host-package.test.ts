// The host as a user gets it: `npm pack` of the agent-host workspace (prepack builds it to JavaScript),
// the tarball installed into an empty folder outside the repository (its dependencies from npm's
// cache), and the installed `agent-relay-host` command answering a chat through `wrangler dev`.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
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

beforeAll(async () => {
  await Promise.all([relay.start(), packAndInstall()]);
});

afterAll(async () => {
  await host?.stop();
  await relay.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe("the packed agent-relay-host, installed in an empty folder", () => {
  it("installs only itself and what it runs, as JavaScript", () => {
    const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    const installed = Object.keys(lock.packages).filter((path) => path !== "").sort();
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "agent-host/package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(installed).toEqual(["node_modules/agent-relay-host", ...Object.keys(manifest.dependencies).map((name) => `node_modules/${name}`)].sort());
    const bin = realpathSync(join(app, "node_modules/.bin/agent-relay-host"));
    expect(bin).toBe(realpathSync(join(app, "node_modules/agent-relay-host/dist/cli.js")));
  });

  it("runs from there with the fixture agent and answers a chat end to end", async () => {
    const tokenFile = join(work, "host-token");
    writeFileSync(tokenFile, relay.hostToken, { mode: 0o600 });
    host = spawnGroup(
      join(app, "node_modules/.bin/agent-relay-host"),
      ["--url", relay.url, "--agent", "jsonl", "--command", JSON.stringify([process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", "5"]), "--host-id", "packaged-host", "--token-file", tokenFile],
      { cwd: app, env: userEnvironment() },
    );
    await waitForHosts(() => relay.hostsConnected(), 1, host);

    const text = "hello from the packed host";
    const response = await fetch(`${relay.url}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${relay.relayToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "packaged", messages: [{ id: "u-packaged", role: "user", parts: [{ type: "text", text }] }], trigger: "submit-message" }),
    });
    expect(response.status).toBe(200);
    const { events } = await readRunResiliently(response, (lastEventId) =>
      fetch(`${relay.url}/api/chat/packaged/stream`, { headers: { authorization: `Bearer ${relay.relayToken}`, "last-event-id": String(lastEventId) } }),
    );
    const answer: UIMessage = await consumeWithAiSdk(events);
    expect(answer.parts.map((part) => (part.type === "text" ? part.text : "")).join("").trim()).toBe(text);
    expect(await relay.storedAnswer("packaged")).toEqual(answer);
    expect(host.output()).toContain("control: connected to");
  });
});
