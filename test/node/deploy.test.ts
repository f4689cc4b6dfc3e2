// `npm run deploy` without an account: scripts/deploy.ts as a user runs it, with the real wrangler talking
// to a fake Cloudflare API on loopback (test/support/fake-cloudflare-api.ts) for `wrangler secret list` and
// `wrangler secret put`, and --dry-run so wrangler bundles the Worker to --outdir instead of uploading it.
// It builds web/dist as `npm run deploy` does; wrangler is otherwise offline (scripts/offline-env.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { offlineWranglerEnv } from "../../scripts/offline-env.ts";
import { FakeCloudflareApi } from "../support/fake-cloudflare-api.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const deployScript = join(root, "scripts/deploy.ts");
const work = mkdtempSync(join(tmpdir(), "agent-relay-deploy-"));
const SECRETS_PATH = "/workers/scripts/agent-relay/secrets";
let api: FakeCloudflareApi | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function account(secrets?: Record<string, string>): Promise<FakeCloudflareApi> {
  api = new FakeCloudflareApi({ secrets });
  await api.start();
  return api;
}

interface Deploy {
  /** Everything it printed so far. */
  output(): string;
  exited: Promise<number | null>;
  /** Waits until the output shows `text`, then types `input` (a terminal run only). */
  answer(text: string, input: string): Promise<void>;
}

/** Runs the deploy script with its output piped or, with `terminal`, on a pseudo-terminal (`script`). */
function deploy(cloudflare: FakeCloudflareApi, outdir: string, { terminal = false } = {}): Deploy {
  const command = [process.execPath, deployScript, "--dry-run", "--outdir", outdir];
  // CI=false: wrangler (ci-info) would refuse to prompt for the secret's value on a CI machine otherwise.
  const env = { ...offlineWranglerEnv(process.env), ...cloudflare.wranglerEnv(), CI: "false", TERM: "dumb" };
  const child = terminal
    ? spawn("script", ["-qfec", command.map((arg) => `'${arg}'`).join(" "), "/dev/null"], { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(command[0]!, command.slice(1), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let answered = 0; // output before this was asked and answered already
  const waiters: (() => void)[] = [];
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      resolve(code);
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  return {
    output: () => output,
    exited,
    async answer(text, input) {
      while (!output.includes(text, answered)) {
        if (child.exitCode !== null) throw new Error(`exited before asking "${text}":\n${output}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      answered = output.indexOf(text, answered) + text.length;
      child.stdin!.write(input);
    },
  };
}

describe("npm run deploy (dry run, fake account)", () => {
  it("stops before building or bundling anything when a required secret is missing, naming the command to run", async () => {
    const cloudflare = await account({ RELAY_TOKEN: "r" });
    const outdir = join(work, "missing");
    const run = deploy(cloudflare, outdir);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("npx wrangler secret put HOST_TOKEN");
    expect(run.output()).not.toContain("wrangler secret put RELAY_TOKEN");
    expect(run.output()).toContain("Nothing was built or deployed");
    expect(run.output()).not.toContain("vite build");
    expect(existsSync(outdir)).toBe(false);
    expect(cloudflare.requests).toEqual([`GET /client/v4/accounts/${cloudflare.wranglerEnv().CLOUDFLARE_ACCOUNT_ID}${SECRETS_PATH}`]);
  }, 60_000);

  it("treats a Worker that does not exist yet as having no secrets", async () => {
    const cloudflare = await account();
    const outdir = join(work, "new-worker");
    const run = deploy(cloudflare, outdir);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("  npx wrangler secret put RELAY_TOKEN\n  npx wrangler secret put HOST_TOKEN\nThe Worker does not exist yet");
    expect(existsSync(outdir)).toBe(false);
  }, 60_000);

  it("with both secrets set, builds the page and runs wrangler's dry run of the whole Worker, uploading nothing", async () => {
    const cloudflare = await account({ RELAY_TOKEN: "r", HOST_TOKEN: "h" });
    const outdir = join(work, "bundle");
    const started = Date.now();
    const run = deploy(cloudflare, outdir);
    expect(await run.exited, run.output()).toBe(0);
    expect(statSync(join(root, "web/dist/index.html")).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    expect(run.output()).toMatch(/Read \d+ files from the assets directory .*web\/dist/);
    expect(run.output()).toMatch(/env\.SESSION \(SessionObject\)[\s\S]*env\.HUB \(HostHub\)[\s\S]*env\.INDEX \(SessionIndex\)/);
    expect(run.output()).toContain("--dry-run: exiting now.");
    expect(statSync(join(outdir, "index.js")).size).toBeGreaterThan(10_000);
    expect(cloudflare.requests.every((request) => request.startsWith("GET ") && request.endsWith(SECRETS_PATH))).toBe(true);
  }, 120_000);

  it("at a terminal, offers to run `wrangler secret put` for a missing secret, then checks the account again and goes on", async () => {
    const cloudflare = await account({ RELAY_TOKEN: "r" });
    const outdir = join(work, "interactive");
    const run = deploy(cloudflare, outdir, { terminal: true });
    await run.answer("Run `npx wrangler secret put HOST_TOKEN` now? [Y/n]", "y\r");
    await run.answer("Enter a secret value", "host-secret-value\r");
    expect(await run.exited, run.output()).toBe(0);
    expect(cloudflare.secrets?.get("HOST_TOKEN")).toBe("host-secret-value");
    expect(run.output()).toContain("--dry-run: exiting now.");
    const secretCalls = cloudflare.requests.map((request) => request.split(" ")[0]);
    expect(secretCalls).toEqual(["GET", "PUT", "GET"]);
  }, 120_000);
});
