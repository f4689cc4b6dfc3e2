// An adapter turns a start request into a running agent whose event lines reach `onLines` in order.
import type { StartFrame } from "../../../protocol/host.ts";
import type { HostConfig } from "../config.ts";
import type { AgentRun } from "../runner.ts";
import type { AgentLine } from "../run-outbox.ts";

export type AgentAdapter = (request: StartFrame, onLines: (lines: AgentLine[]) => void) => AgentRun;

/** The part of the host's configuration an adapter uses. */
export type AdapterConfig = Pick<HostConfig, "command" | "cwd" | "env">;

/** The agent's environment: the host's own plus --env, minus the host token (the agent has no use for it). */
export function agentEnvironment(config: AdapterConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base, ...config.env };
  delete env.RELAY_HOST_TOKEN;
  return env;
}
