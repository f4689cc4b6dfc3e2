// The lines an agent host writes for an agent's approval requests (openclaw's exec approvals, through
// its gateway): the gateway's own event payloads under `event`, like the `agent` lines. The host
// writes them, the edge translates them into the AI SDK's tool-approval parts; both import this.
//
//   {"event":"exec.approval.requested","id":"<approval id>","request":{"command":"ls /","cwd":"/work",
//    "toolCallId":"call_1","allowedDecisions":["allow-once","deny"],...},"createdAtMs":...,"expiresAtMs":...}
//   {"event":"exec.approval.resolved","id":"<approval id>","decision":"allow-once"|"allow-always"|"deny",
//    "resolvedBy":...,"ts":...,"reason"?:"<the person's reason>","expired"?:true}
//
// `expired: true`: nobody answered before the gateway's deadline, and openclaw decided by its own
// policy (`decision`, when the gateway said; absent when the host gave up waiting for its word).

export const APPROVAL_REQUESTED_LINE = "exec.approval.requested";
export const APPROVAL_RESOLVED_LINE = "exec.approval.resolved";

/** Decisions that let the command run (openclaw's `allowedDecisions`). */
export const ALLOWING_DECISIONS: readonly string[] = ["allow-once", "allow-always"];

export function approvalLine(event: typeof APPROVAL_REQUESTED_LINE | typeof APPROVAL_RESOLVED_LINE, payload: Record<string, unknown>): string {
  return JSON.stringify({ event, ...payload });
}
