// The real agent host (agent-host/src/cli.ts) as a child process, pointed at a test edge, running the
// fixture agent (test/fixtures/replay-agent.mjs) through the jsonl adapter.
import { join } from "node:path";
import { spawnGroup, type GroupProcess } from "./process-group.ts";
import { PROJECT_ROOT } from "./wrangler-dev.ts";

export const FIXTURE_AGENT = join(PROJECT_ROOT, "test/fixtures/replay-agent.mjs");

export interface AgentHostOptions {
  url: string;
  token: string;
  /** The agent's argv template; default: the fixture agent saying the user's message word by word. */
  command?: string[];
  maxRuns?: number;
  hostId?: string;
  extraArgs?: string[];
}

export function startAgentHost(options: AgentHostOptions): GroupProcess {
  const command = options.command ?? [process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", "5"];
  return spawnGroup(
    process.execPath,
    [
      join(PROJECT_ROOT, "agent-host/src/cli.ts"),
      "--url", options.url,
      "--agent", "jsonl",
      "--command", JSON.stringify(command),
      "--max-runs", String(options.maxRuns ?? 4),
      "--host-id", options.hostId ?? "e2e-host",
      ...(options.extraArgs ?? []),
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, RELAY_HOST_TOKEN: options.token } },
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
