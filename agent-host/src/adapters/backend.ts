// The agent behind the host, by --agent: the openclaw gateway (default), the per-turn openclaw CLI, or
// any JSON-lines CLI. The CLI kinds are ready at once and hold nothing between runs.
import type { HostConfig } from "../config.ts";
import type { Log } from "../log.ts";
import { jsonlAdapter } from "./jsonl.ts";
import { openclawAdapter } from "./openclaw.ts";
import { openclawGatewayBackend, type AgentBackend } from "./openclaw-gateway-backend.ts";

export type { AgentBackend };

export function createAgentBackend(config: HostConfig, log: Log): AgentBackend {
  if (config.agent === "openclaw") return openclawGatewayBackend(config, log);
  const adapter = config.agent === "openclaw-cli" ? openclawAdapter(config) : jsonlAdapter(config);
  return { adapter, ready: Promise.resolve(), stop: async () => {}, killNow: () => {} };
}
