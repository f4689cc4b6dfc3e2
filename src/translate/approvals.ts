// Reading the host's approval lines (protocol/approval-lines.ts) for the translator: a request names
// the agent's tool call and the command; an outcome says approved or not, and whether it expired.
// Pure; the translator turns them into the AI SDK's approval chunks (translator.ts, #approval*, #answerApproval).
import type { JSONValue } from "ai";
import { ALLOWING_DECISIONS } from "../../protocol/approval-lines.ts";
import { APPROVAL_ID_PATTERN, MAX_APPROVAL_REASON_CHARS } from "../../protocol/host.ts";
import { isRecord } from "./json.ts";

/** The tool an approval request belongs to when openclaw does not say (it always has, so far). */
export const APPROVAL_TOOL_NAME = "exec";

/** The reason an expired request shows (on its tool part): nobody answered in time, and what openclaw did. */
export function expiryNote(allowed: boolean): string {
  return allowed
    ? "The approval request expired before anyone answered; openclaw's policy let the command run."
    : "The approval request expired before anyone answered; openclaw denied the command.";
}

export interface ApprovalRequest {
  approvalId: string;
  /** The agent's id of the tool call that waits (maps to our tool part). */
  agentToolCallId: string;
  /** What the tool part shows as its input when no tool start was seen. */
  input: Record<string, JSONValue>;
}

export interface ApprovalOutcome {
  approvalId: string;
  allowed: boolean;
  expired: boolean;
  /** The person's reason, when they gave one. */
  reason?: string;
}

export function readApprovalRequest(line: Record<string, unknown>): ApprovalRequest | undefined {
  const approvalId = validId(line.id);
  const request = isRecord(line.request) ? line.request : undefined;
  if (!approvalId || !request) return undefined;
  const toolCallId = typeof request.toolCallId === "string" && request.toolCallId ? request.toolCallId : approvalId;
  const input: Record<string, JSONValue> = {};
  if (typeof request.command === "string") input.command = request.command;
  if (typeof request.cwd === "string") input.cwd = request.cwd;
  return { approvalId, agentToolCallId: toolCallId, input };
}

export function readApprovalOutcome(line: Record<string, unknown>): ApprovalOutcome | undefined {
  const approvalId = validId(line.id);
  if (!approvalId) return undefined;
  const allowed = typeof line.decision === "string" && ALLOWING_DECISIONS.includes(line.decision);
  const reason = typeof line.reason === "string" && line.reason.trim() ? line.reason.slice(0, MAX_APPROVAL_REASON_CHARS) : undefined;
  return { approvalId, allowed, expired: line.expired === true, ...(reason ? { reason } : {}) };
}

function validId(value: unknown): string | undefined {
  return typeof value === "string" && APPROVAL_ID_PATTERN.test(value) ? value : undefined;
}
