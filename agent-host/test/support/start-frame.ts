// A start frame as the edge sends it, with a fresh run secret.
import { newSecret, type StartFrame } from "../../../protocol/host.ts";

export const startFrame = (runId: string, sessionId = `session-${runId}`, message = "hello"): StartFrame => ({
  type: "start",
  sessionId,
  runId,
  message,
  agentSessionId: `agent-${sessionId}`,
  runSecret: newSecret(),
});
