// `npm start`: the whole relay on this machine. Local workerd (`wrangler dev` on 127.0.0.1) serving the
// API and the page, and the agent host connected to it. Arguments after `npm start --` go to the agent
// host (e.g. `-- --agent jsonl --command '["my-agent","--json","{message}"]'`); the default agent is
// openclaw, through its gateway.
//
// Secrets come from .dev.vars; when it does not exist, one is written with fresh random tokens.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { offlineWranglerEnv } from "./offline-env.ts";
import { wranglerCommand } from "./wrangler-bin.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.RELAY_PORT ?? 8787);
const url = `http://127.0.0.1:${port}`;

function devVars(): Record<string, string> {
  const path = join(root, ".dev.vars");
  if (!existsSync(path)) {
    const token = () => randomBytes(24).toString("base64url");
    writeFileSync(path, `RELAY_TOKEN=${token()}\nHOST_TOKEN=${token()}\n`, { mode: 0o600 });
    console.log("wrote .dev.vars with new random RELAY_TOKEN and HOST_TOKEN");
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^\s*([A-Z_]+)\s*=\s*"?([^"]*)"?\s*$/);
    if (match) vars[match[1]!] = match[2]!;
  }
  if (!vars.RELAY_TOKEN || !vars.HOST_TOKEN) throw new Error(".dev.vars must set RELAY_TOKEN and HOST_TOKEN");
  return vars;
}

async function waitForEdge(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited");
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`wrangler dev did not answer on ${url} within 60 s`);
}

const vars = devVars();
const children: ChildProcess[] = [];
const stopAll = (code: number) => {
  for (const child of children) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  setTimeout(() => process.exit(code), 500).unref();
};
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

const wranglerDev = wranglerCommand(["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"]);
const wrangler = spawn(wranglerDev.command, wranglerDev.args, {
  cwd: root,
  env: offlineWranglerEnv(process.env),
  stdio: "inherit",
  detached: true,
});
children.push(wrangler);
wrangler.on("exit", (code) => stopAll(code ?? 1));

await waitForEdge(wrangler);
// The host token goes through the host's standard input (--token-file -): not its environment or
// command line, which the agent it runs (as this user) could read in /proc.
const host = spawn(process.execPath, [join(root, "agent-host/src/cli.ts"), "--url", url, "--token-file", "-", ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, RELAY_HOST_TOKEN: undefined },
  stdio: ["pipe", "inherit", "inherit"],
  detached: true,
});
host.stdin!.end(`${vars.HOST_TOKEN}\n`);
children.push(host);
host.on("exit", (code) => {
  console.error(`agent host exited (${code}); stopping`);
  stopAll(code ?? 1);
});

console.log(`\nagent-relay is running: open ${url} and sign in with the relay token from .dev.vars:\n  ${vars.RELAY_TOKEN}\n`);
