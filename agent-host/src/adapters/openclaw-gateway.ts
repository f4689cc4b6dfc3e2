// openclaw through its gateway (the default `--agent openclaw`): one turn = one `chat.send` on the
// host's gateway connection, its `agent` events written as the same JSON lines the CLI adapter's
// captures have (`{"event":"agent", runId, sessionKey, stream, data, seq, ts, ...}`), so the edge
// translates them unchanged. One relay chat = one session key, so openclaw remembers the conversation.
// The turn ends with the gateway's `chat` final/aborted/error state; Stop is `chat.abort`; a connection
// lost mid-turn ends the turn at once with an error (its outcome on the gateway is unknown).
import type { StartFrame } from "../../../protocol/host.ts";
import { APPROVAL_REQUESTED_LINE, APPROVAL_RESOLVED_LINE } from "../../../protocol/approval-lines.ts";
import { withoutRunningText } from "../../../protocol/running-text.ts";
import { type GatewayEvent, type GatewayLink } from "../gateway/gateway-link.ts";
import type { AgentRun } from "../runner.ts";
import type { AgentExit } from "../run-outbox.ts";
import type { Log } from "../log.ts";
import type { AgentAdapter } from "./adapter.ts";
import { TurnApprovals } from "./openclaw-approvals.ts";
import { errorLine } from "./openclaw.ts";

/** Turns on different session keys run side by side in one gateway; the same key queues. */
export const OPENCLAW_GATEWAY_DEFAULT_MAX_RUNS = 4;

/** How long a turn waits for a gateway that is (re)starting (13-44 s measured here) before it fails visibly. */
export const GATEWAY_WAIT_MS = 60_000;
/** `chat.send` answers in ~5 ms; past this the gateway is stuck. */
const SEND_TIMEOUT_MS = 15_000;
/** After lifecycle end/error, the `chat` final state normally follows at once; do not wait for ever. */
const END_GRACE_MS = 2_000;
/** After `chat.abort` (20-40 ms measured), how long before the turn is ended without the gateway's word. */
const ABORT_GRACE_MS = 5_000;
/** How long a message openclaw queued into another run of the session may wait for that run to answer. */
const QUEUED_ANSWER_MS = 120_000;
/** Events of other runs on the session kept while it is not known yet whether they answer the message. */
const MAX_OTHER_EVENTS = 2_000;

export function sessionKeyFor(agentSessionId: string): string {
  return `agent:main:${agentSessionId}`;
}

/** A gateway `agent` event payload as the line the edge translates (the shape of the captures). */
export function agentEventLine(payload: Record<string, unknown>): string {
  return JSON.stringify({ event: "agent", ...withoutRunningText(payload) });
}

/** `chat` event states that end a turn. */
const TERMINAL_CHAT_STATES = new Set(["final", "aborted", "error"]);

export function openclawGatewayAdapter(link: GatewayLink, log: Log): AgentAdapter {
  return (request, onLines) => startGatewayTurn(link, request, onLines, log);
}

function startGatewayTurn(link: GatewayLink, request: StartFrame, onLines: (lines: string[]) => void, log: Log): AgentRun {
  const sessionKey = sessionKeyFor(request.agentSessionId);
  // Our run id as the idempotency key: the gateway uses it as its runId, so events can be matched
  // from the very first one, before chat.send has even answered.
  const runId = request.runId;
  /** The gateway's ids for this turn (the idempotency key, and what chat.send answers, if different). */
  const ownRunIds = new Set([runId.toLowerCase()]);
  let resolveExit!: (exit: AgentExit) => void;
  const exited = new Promise<AgentExit>((resolve) => (resolveExit = resolve));
  let ended = false;
  let sent = false;
  let aborted = false;
  /** Highest agent event seq seen, per gateway run (ours, and one openclaw answers the message in). */
  const lastSeq = new Map<string, number>();
  let ownEventSeen = false;
  /**
   * openclaw may answer the message in a run of its own on this session (after a restart it resumes
   * the interrupted turn and queues the message into it): the message's own run then ends at once,
   * empty, and that other run's events are the answer. Until then they are kept here, per run.
   */
  const otherRuns = new Map<string, Record<string, unknown>[]>();
  let otherEvents = 0;
  let adopted: string | undefined;
  let endTimer: NodeJS.Timeout | undefined;
  let queuedTimer: NodeJS.Timeout | undefined;
  const unlisten: (() => void)[] = [];
  const approvals = new TurnApprovals({
    request: (method, params, timeoutMs) => link.request(method, params, timeoutMs),
    onLines: (lines) => {
      if (!ended) onLines(lines);
    },
    log: (line) => log(`run ${runId}: ${line}`),
  });

  const finish = (exit: Partial<AgentExit> = {}) => {
    if (ended) return;
    ended = true;
    clearTimeout(endTimer);
    clearTimeout(queuedTimer);
    approvals.stop();
    for (const stop of unlisten) stop();
    resolveExit({ code: exit.error ? null : 0, signal: null, stderrTail: "", ...exit });
  };
  const finishSoon = (ms: number) => {
    clearTimeout(endTimer);
    endTimer = setTimeout(() => finish(), ms);
  };

  const deliver = (eventRun: string, payload: Record<string, unknown>) => {
    // The gateway numbers each run's agent events; a repeat or an older one is dropped.
    const seq = typeof payload.seq === "number" ? payload.seq : undefined;
    if (seq !== undefined) {
      if (seq <= (lastSeq.get(eventRun) ?? -1)) return;
      lastSeq.set(eventRun, seq);
    }
    onLines([agentEventLine(payload)]);
    const data = payload.data as Record<string, unknown> | undefined;
    if (payload.stream === "lifecycle" && (data?.phase === "end" || data?.phase === "error")) finishSoon(END_GRACE_MS);
  };
  const adopt = (otherRun: string) => {
    adopted = otherRun;
    clearTimeout(queuedTimer);
    for (const payload of otherRuns.get(otherRun) ?? []) deliver(otherRun, payload);
    otherRuns.clear();
  };

  const onEvent = ({ event, payload }: GatewayEvent) => {
    if (ended) return;
    const eventRun = String(payload.runId ?? "").toLowerCase();
    const mine = ownRunIds.has(eventRun);
    // Approval events name no run at the top (the gateway routes them here by the session key).
    // (The gateway's approval events carry the names the approval lines carry: protocol/approval-lines.ts.)
    if (event === APPROVAL_REQUESTED_LINE) approvals.requested(payload);
    else if (event === APPROVAL_RESOLVED_LINE) approvals.resolved(payload);
    else if (event === "agent") {
      if (mine) {
        ownEventSeen = true;
        deliver(eventRun, payload);
      } else if (eventRun === adopted) {
        deliver(eventRun, payload);
      } else if (adopted === undefined && !ownEventSeen) {
        if (otherEvents++ >= MAX_OTHER_EVENTS) return;
        const kept = otherRuns.get(eventRun) ?? [];
        kept.push(payload);
        otherRuns.set(eventRun, kept);
        // Waiting for the run openclaw queued the message into (see "chat" final below): this is it.
        if (queuedTimer !== undefined) adopt(eventRun);
      }
    } else if (event === "chat" && TERMINAL_CHAT_STATES.has(String(payload.state))) {
      if (!mine && eventRun !== adopted) return;
      if (mine && payload.state === "final" && !ownEventSeen && !aborted) {
        // Queued into another run: the one already seen on the session, else the next one to come
        // (bounded: the person sees an error rather than a run that hangs).
        const latest = [...otherRuns.keys()].at(-1);
        if (latest !== undefined) adopt(latest);
        else {
          const error = `openclaw took the message but no turn answered it within ${QUEUED_ANSWER_MS / 1000} s`;
          queuedTimer = setTimeout(() => finish({ error }), QUEUED_ANSWER_MS);
        }
        return;
      }
      // An error the agent events already reported is shown once by the edge (it reports an error once).
      if (payload.state === "error") onLines([errorLine(String(payload.errorMessage ?? "openclaw reported an error"))]);
      finish();
    }
  };
  const listener = {
    sessionKey,
    onEvent,
    onLost: (reason: string) => finish({ error: `lost the openclaw gateway mid-turn: ${reason}` }),
  };
  unlisten.push(link.listen(runId, listener));

  void (async () => {
    try {
      await link.whenReady(GATEWAY_WAIT_MS);
    } catch (error) {
      finish({ error: (error as Error).message });
      return;
    }
    if (ended) return;
    try {
      sent = true;
      const answer = await link.request<{ runId?: unknown }>(
        "chat.send",
        { sessionKey, message: request.message, idempotencyKey: runId },
        SEND_TIMEOUT_MS,
      );
      if (typeof answer.runId === "string" && !ownRunIds.has(answer.runId.toLowerCase())) {
        ownRunIds.add(answer.runId.toLowerCase());
        unlisten.push(link.listen(answer.runId, listener));
      }
    } catch (error) {
      finish({ error: `the openclaw gateway refused the message: ${(error as Error).message}` });
    }
  })();

  const abort = () => {
    if (aborted || ended) return;
    aborted = true;
    if (!sent) {
      finish(); // nothing reached the gateway yet; the pending send sees `ended` and sends nothing
      return;
    }
    link.request("chat.abort", { sessionKey, runId: adopted ?? runId }, ABORT_GRACE_MS).catch(() => {
      // the grace timer below ends the turn either way
    });
    finishSoon(ABORT_GRACE_MS);
  };

  return {
    abort,
    killNow() {
      abort();
      finish();
    },
    // The gateway cannot be paused per run; its events are a few lines a second, well inside the
    // outbox's memory bound, so they are taken as they come.
    pause() {},
    resume() {},
    answerApproval: (answer) => approvals.answer(answer),
    exited,
  };
}
