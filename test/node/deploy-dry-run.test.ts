// `npm run deploy` without an account: scripts/deploy.ts with --dry-run (wrangler's dry run: bundle to
// --outdir, no upload) and --secret-list (the JSON `wrangler secret list` prints, read from a file instead
// of the account). Everything else is the real path: the config's required secrets, the page build, wrangler.
// It builds web/dist as `npm run deploy` does; offline (scripts/offline-env.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { offlineWranglerEnv } from "../../scripts/offline-env.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "agent-relay-deploy-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function secretList(name: string, secrets: string[]): string {
  const path = join(work, `${name}.json`);
  writeFileSync(path, JSON.stringify(secrets.map((secret) => ({ name: secret, type: "secret_text" })), null, "  "));
  return path;
}

function deploy(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(root, "scripts/deploy.ts"), ...args], {
    cwd: root,
    env: offlineWranglerEnv(process.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe("npm run deploy --dry-run", () => {
  it("stops before building or bundling anything when a required secret is missing, naming the command to run", async () => {
    const outdir = join(work, "missing");
    const { code, output } = await deploy(["--dry-run", "--outdir", outdir, "--secret-list", secretList("relay-only", ["RELAY_TOKEN"])]);
    expect(code).toBe(1);
    expect(output).toContain("npx wrangler secret put HOST_TOKEN");
    expect(output).not.toContain("wrangler secret put RELAY_TOKEN");
    expect(output).toContain("Nothing was built or deployed");
    expect(output).not.toContain("vite build");
    expect(existsSync(outdir)).toBe(false);
  }, 60_000);

  it("with both secrets set, builds the page and runs wrangler's dry run of the whole Worker", async () => {
    const outdir = join(work, "bundle");
    const started = Date.now();
    const { code, output } = await deploy(["--dry-run", "--outdir", outdir, "--secret-list", secretList("both", ["HOST_TOKEN", "RELAY_TOKEN"])]);
    expect(code, output).toBe(0);
    expect(statSync(join(root, "web/dist/index.html")).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    expect(output).toMatch(/Read \d+ files from the assets directory .*web\/dist/);
    expect(output).toContain("--dry-run: exiting now.");
    // The bundle holds the Worker and the three Durable Object classes the config binds.
    const bundle = join(outdir, "index.js");
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
    expect(output).toMatch(/env\.SESSION \(SessionObject\)[\s\S]*env\.HUB \(HostHub\)[\s\S]*env\.INDEX \(SessionIndex\)/);
  }, 120_000);
});
