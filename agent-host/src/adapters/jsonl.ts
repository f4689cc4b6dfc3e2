// Any CLI that prints the agent's JSON event lines on its stdout (the reference's contract).
import { spawnAgent } from "../runner.ts";
import { agentEnvironment, type AdapterConfig, type AgentAdapter } from "./adapter.ts";
import { fillTemplate } from "./argv-template.ts";

export function jsonlAdapter(config: AdapterConfig): AgentAdapter {
  return (request, onLines) =>
    spawnAgent(
      {
        argv: fillTemplate(config.command, { message: request.message, session: request.agentSessionId }),
        cwd: config.cwd,
        env: agentEnvironment(config),
      },
      { onLines },
    );
}
