// Exec approvals of one gateway turn. openclaw asks before running a command when its exec policy says
// so (`tools.exec.ask`) and a client with the `exec-approvals` capability is connected: the gateway
// sends `exec.approval.requested`, the turn waits, and `exec.approval.resolve {id, decision}` answers.
// Both gateway events become lines of the turn (protocol/approval-lines.ts), so the edge shows the request and its outcome in the answer and keeps them in the
// stored message; a person's answer comes back from the edge (`approval` run frame) and goes to the
// gateway from here. A request nobody answers ends as openclaw decides (its `askFallback`, deny by
// default) when it expires; the resolved line then says `expired: true`.
import { APPROVAL_REQUESTED_LINE, APPROVAL_RESOLVED_LINE, approvalLine } from "../../../protocol/approval-lines.ts";
import { APPROVAL_ID_PATTERN } from "../../../protocol/host.ts";
import type { GatewayRequest } from "../gateway/gateway-link.ts";
import type { ApprovalAnswer } from "../run-link.ts";

/** The decisions this host gives: allow this one command, or refuse it (openclaw's `allowedDecisions`). */
const ALLOW_DECISION = "allow-once";
const DENY_DECISION = "deny";
/** After a request's `expiresAtMs`, how long the gateway's own resolved event may take before the line says it expired. */
const EXPIRY_GRACE_MS = 2_000;
/** `exec.approval.resolve` answers in a few ms; past this the answer is given up (the request may still expire). */
const RESOLVE_TIMEOUT_MS = 15_000;

interface Pending {
  expiresAtMs: number | undefined;
  timer: NodeJS.Timeout | undefined;
  answer: ApprovalAnswer | undefined;
}

export interface TurnApprovalsOptions {
  request: GatewayRequest;
  onLines: (lines: string[]) => void;
  log: (line: string) => void;
}

export class TurnApprovals {
  readonly #options: TurnApprovalsOptions;
  readonly #pending = new Map<string, Pending>();
  /** Requests whose outcome was written: a backfilled or repeated request must not be shown again. */
  readonly #settled = new Set<string>();

  constructor(options: TurnApprovalsOptions) {
    this.#options = options;
  }

  /** `exec.approval.requested`, live or from `exec.approval.list`: written once per id. */
  requested(payload: Record<string, unknown>): void {
    const id = approvalId(payload);
    if (id === undefined || this.#pending.has(id) || this.#settled.has(id)) return;
    const expiresAtMs = typeof payload.expiresAtMs === "number" ? payload.expiresAtMs : undefined;
    // Date.now(): the gateway's clock, as the host runs beside it (or close enough for a 30-minute timeout).
    const timer =
      expiresAtMs === undefined
        ? undefined
        : setTimeout(() => this.#settle(id, { id, expired: true }), Math.max(0, expiresAtMs - Date.now()) + EXPIRY_GRACE_MS);
    this.#pending.set(id, { expiresAtMs, timer, answer: undefined });
    this.#options.onLines([approvalLine(APPROVAL_REQUESTED_LINE, payload)]);
  }

  /** `exec.approval.resolved`: the outcome, whoever decided (this host, another client, the expiry). */
  resolved(payload: Record<string, unknown>): void {
    const id = approvalId(payload);
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (id === undefined || !pending) return;
    // The request is in the requested line already; the outcome line stays small.
    const { request: _request, ...outcome } = payload;
    const answer = pending.answer;
    const expired =
      !answer && payload.resolvedBy == null && pending.expiresAtMs !== undefined && Date.now() >= pending.expiresAtMs;
    this.#settle(id, {
      ...outcome,
      ...(expired ? { expired: true } : {}),
      ...(answer?.reason !== undefined && payload.decision === decisionFor(answer) ? { reason: answer.reason } : {}),
    });
  }

  /** A person's answer from the relay: sent to the gateway; the gateway's resolved event is the outcome. */
  answer(answer: ApprovalAnswer): void {
    const pending = this.#pending.get(answer.approvalId);
    if (!pending) {
      this.#options.log(`approval ${answer.approvalId}: answered, but it is not pending any more`);
      return;
    }
    if (pending.answer) {
      // Two devices answered at once: the first answer is the one the gateway gets.
      this.#options.log(`approval ${answer.approvalId}: already answered; this answer is dropped`);
      return;
    }
    pending.answer = answer;
    const decision = decisionFor(answer);
    this.#options.log(`approval ${answer.approvalId}: ${decision}`);
    this.#options.request("exec.approval.resolve", { id: answer.approvalId, decision }, RESOLVE_TIMEOUT_MS).catch((error: Error) => {
      this.#options.log(`approval ${answer.approvalId}: the gateway refused the answer: ${error.message}`);
      // openclaw's word for a request that timed out meanwhile: it is over, and nobody's answer counted.
      if (/expired or not found|unknown or expired/i.test(error.message)) {
        this.#settle(answer.approvalId, { id: answer.approvalId, expired: true });
      }
    });
  }

  /** The turn ended: no more lines. */
  stop(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #settle(id: string, outcome: Record<string, unknown>): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    this.#settled.add(id);
    this.#options.onLines([approvalLine(APPROVAL_RESOLVED_LINE, outcome)]);
  }
}

function approvalId(payload: Record<string, unknown>): string | undefined {
  return typeof payload.id === "string" && APPROVAL_ID_PATTERN.test(payload.id) ? payload.id : undefined;
}

function decisionFor(answer: ApprovalAnswer): string {
  return answer.approved ? ALLOW_DECISION : DENY_DECISION;
}
