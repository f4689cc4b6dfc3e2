// What a tool call's approval shows on the page: the question with Approve and Deny while the agent
// waits, then the decision (a person's, on any device, or the agent's own when nobody answered in
// time), with its reason. Read from the part's state alone, so a reload or another tab shows the same.
import type { DynamicToolUIPart } from "ai";

export type ApprovalView =
  | { kind: "ask"; approvalId: string }
  | { kind: "decided"; approved: boolean; reason: string | null };

export function approvalView(call: DynamicToolUIPart): ApprovalView | null {
  const approval = call.approval;
  if (!approval) return null;
  if (call.state === "approval-requested") return { kind: "ask", approvalId: approval.id };
  if (approval.approved === undefined) return null;
  return { kind: "decided", approved: approval.approved, reason: approval.reason ?? null };
}
