import { createContext, useContext, useState } from "react";
import type { ApprovalView } from "../chat/approval-state.ts";

/**
 * Sends a person's decision to the relay (POST /api/chat/:id/approvals/:approvalId), which passes it to
 * the agent's host; resolves once the relay took it. Null where nobody can answer (no live chat).
 */
export type AnswerApproval = (approvalId: string, approved: boolean) => Promise<void>;
export const AnswerApprovalContext = createContext<AnswerApproval | null>(null);

/** Approve / Deny while the agent waits; the decision once it is made (here, elsewhere, or by expiry). */
export function ApprovalPrompt({ view }: { view: ApprovalView }) {
  const answer = useContext(AnswerApprovalContext);
  const [sending, setSending] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  if (view.kind === "decided") {
    return (
      <p className={`approval approval-${view.approved ? "approved" : "denied"}`} role="status">
        <strong>{view.approved ? "Approved" : "Denied"}</strong>
        {view.reason && <span>— {view.reason}</span>}
      </p>
    );
  }

  const { approvalId } = view;
  async function decide(approved: boolean) {
    if (!answer) return;
    setSending(approved);
    setProblem(null);
    try {
      await answer(approvalId, approved);
    } catch (error) {
      setProblem((error as Error).message);
      setSending(null);
    }
  }

  return (
    <div className="approval approval-ask" role="group" aria-label="Approval request">
      <span>The agent asks to run this command.</span>
      <button type="button" onClick={() => void decide(true)} disabled={!answer || sending !== null}>
        {sending === true ? "Approving…" : "Approve"}
      </button>
      <button type="button" onClick={() => void decide(false)} disabled={!answer || sending !== null}>
        {sending === false ? "Denying…" : "Deny"}
      </button>
      {problem && (
        <span className="approval-problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
