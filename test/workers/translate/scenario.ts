// Running a scenario (agent lines + how the run ended) through the translator and the accumulator.
import { APPROVAL_REQUESTED_LINE, APPROVAL_RESOLVED_LINE, approvalLine } from "../../../protocol/approval-lines.ts";
import { MessageAccumulator } from "../../../src/translate/accumulator.ts";
import type { RelayUIMessage, UIChunk } from "../../../src/translate/chunks.ts";
import { RunTranslator, type RunEnd } from "../../../src/translate/translator.ts";

export type Scenario = { lines: string[]; end: RunEnd };

export const MESSAGE_ID = "msg-1";
export const RUN_ID = "run-1";

export function translate(scenario: Scenario): UIChunk[] {
  const translator = new RunTranslator({ messageId: MESSAGE_ID, runId: RUN_ID });
  return [...translator.start(), ...scenario.lines.flatMap((line) => translator.line(line)), ...translator.end(scenario.end)];
}

export function accumulate(chunks: UIChunk[]): RelayUIMessage {
  const accumulator = new MessageAccumulator(MESSAGE_ID);
  for (const chunk of chunks) accumulator.apply(chunk);
  return accumulator.message();
}

/** The persisted message of a scenario. */
export function messageOf(scenario: Scenario): RelayUIMessage {
  return accumulate(translate(scenario));
}

/** The texts of the message's text parts, in order. */
export function texts(message: RelayUIMessage): string[] {
  return message.parts.flatMap((part) => (part.type === "text" ? [part.text] : []));
}

export function finishOf(chunks: UIChunk[]): Extract<UIChunk, { type: "finish" }> {
  const last = chunks.at(-1);
  if (last?.type !== "finish") throw new Error(`the last chunk is ${last?.type}, not finish`);
  return last;
}

/** One agent event line as openclaw prints it. */
export function agent(stream: string, data: Record<string, unknown>): string {
  return JSON.stringify({ event: "agent", runId: "agent-run", stream, data });
}

/** The host's line for an approval request of the agent's tool call `toolCallId` (protocol/approval-lines.ts). */
export function approvalRequested(id: string, toolCallId: string): string {
  const request = { command: "ls /", cwd: "/work", host: "gateway", toolCallId, allowedDecisions: ["allow-once", "deny"] };
  return approvalLine(APPROVAL_REQUESTED_LINE, { id, request, createdAtMs: 1000, expiresAtMs: 1_801_000 });
}

export function approvalResolved(id: string, outcome: Record<string, unknown>): string {
  return approvalLine(APPROVAL_RESOLVED_LINE, { id, ts: 2000, ...outcome });
}
