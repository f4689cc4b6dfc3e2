// A run that a browser started and a fake host picked up: the starting point of most session tests.
import type { EdgeToHostControlFrame, EdgeToHostRunFrame } from "../../../protocol/host.ts";
import { connectHost, openRun, postChat, type FrameSocket } from "./relay-client.ts";

export interface StartedRun {
  sessionId: string;
  runId: string;
  /** The fake host the run was given to. */
  hostId: string;
  control: FrameSocket<EdgeToHostControlFrame>;
  run: FrameSocket<EdgeToHostRunFrame>;
  /** The stream POST /api/chat answered with. */
  response: Response;
}

export async function startRun(sessionId: string, text = "hello"): Promise<StartedRun> {
  const hostId = `host-${sessionId}`;
  const control = await connectHost(hostId);
  const response = await postChat(sessionId, text);
  if (response.status !== 200) throw new Error(`POST /api/chat: ${response.status} ${await response.text()}`);
  const start = await control.nextOfType("start");
  const { run } = await openRun(sessionId, start.runId, hostId);
  return { sessionId, runId: start.runId, hostId, control, run, response };
}

/** `n` assistant text-delta lines in the agent's JSON-lines format. */
export function textDeltaLines(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ event: "agent", runId: "agent-run", stream: "assistant", data: { delta: `w${from + i} ` }, seq: from + i + 1 }),
  );
}

export function textOf(chunks: { type: string; delta?: unknown }[]): string {
  return chunks.filter((chunk) => chunk.type === "text-delta").map((chunk) => chunk.delta).join("");
}
