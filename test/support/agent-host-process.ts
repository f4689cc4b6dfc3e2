// The real agent host (agent-host/src/cli.ts) as a child process, pointed at a test edge, running the
// fixture agent (test/fixtures/replay-agent.mjs) through the jsonl adapter, or the openclaw adapter.
// The token goes in a file only this user can read (--token-file), as agent-host/README.md advises:
// never in the host's environment or command line, where the agent could read it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentKind } from "../../agent-host/src/config.ts";
import { spawnGroup, type GroupProcess } from "./process-group.ts";
import { PROJECT_ROOT } from "./wrangler-dev.ts";

export const FIXTURE_AGENT = join(PROJECT_ROOT, "test/fixtures/replay-agent.mjs");

export interface AgentHostOptions {
  url: string;
  token: string;
  /** Default "jsonl". */
  agent?: AgentKind;
  /** The agent's argv template; default for jsonl: the fixture agent saying the user's message word by
   * word; for openclaw: the adapter's own. */
  command?: string[];
  /** Default: the host's own for the agent kind (agent-host/src/config.ts). */
  maxRuns?: number;
  hostId?: string;
  extraArgs?: string[];
  /** The host's environment (its agents inherit it); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export function startAgentHost(options: AgentHostOptions): GroupProcess {
  const agent = options.agent ?? "jsonl";
  const tokenFile = join(mkdtempSync(join(tmpdir(), "agent-relay-host-token-")), "token");
  writeFileSync(tokenFile, options.token, { mode: 0o600 });
  const command = options.command ?? (agent === "jsonl" ? [process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", "5"] : undefined);
  return spawnGroup(
    process.execPath,
    [
      join(PROJECT_ROOT, "agent-host/src/cli.ts"),
      "--url", options.url,
      "--agent", agent,
      ...(command ? ["--command", JSON.stringify(command)] : []),
      ...(options.maxRuns === undefined ? [] : ["--max-runs", String(options.maxRuns)]),
      "--host-id", options.hostId ?? "e2e-host",
      "--token-file", tokenFile,
      ...(options.extraArgs ?? []),
    ],
    { cwd: PROJECT_ROOT, env: { ...(options.env ?? process.env), RELAY_HOST_TOKEN: undefined } },
  );
}

/** Waits until the edge reports at least `count` connected hosts. */
export async function waitForHosts(hostsConnected: () => Promise<number>, count = 1, host?: GroupProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await hostsConnected().catch(() => 0)) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`agent host did not connect within 20 s${host ? `:\n${host.output()}` : ""}`);
}
