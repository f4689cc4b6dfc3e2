// One run on the host: the agent (through its adapter), its outbox and its run link, wired together.
// Lines go agent -> outbox -> link; acks come back and may lift the pause on the agent's output;
// the edge's abort or end stops the agent. The run is finished once the agent has exited AND the link
// has ended (its exit stored by the edge, the edge ended the run, or the host stopped it).
import type { StartFrame } from "../../protocol/host.ts";
import type { AgentAdapter } from "./adapters/adapter.ts";
import { count, formatDuration, type Log } from "./log.ts";
import { RunLink, type RunLinkOutcome } from "./run-link.ts";
import { RunOutbox, type AgentExit } from "./run-outbox.ts";
import { neverStarted, type AgentRun } from "./runner.ts";

export interface HostRunContext {
  baseUrl: string;
  token: string;
  hostId: string;
  maxUnackedBytes: number;
  batchDelayMs: number;
  adapter: AgentAdapter;
  log: Log;
  onTokenRefused: (url: string) => void;
}

export interface HostRun {
  readonly runId: string;
  /** Stop the agent (TERM, then KILL); logged once however many times it is asked. */
  abort(reason: string): void;
  /** SIGKILL the agent's group now and stop the link without waiting for the edge. */
  killNow(): void;
  /** Settles once the agent has exited (its lines and exit may still be on their way to the edge). */
  readonly agentExited: Promise<void>;
  /** Settles once the agent has exited and the link has ended. */
  readonly finished: Promise<void>;
}

export function startHostRun(frame: StartFrame, context: HostRunContext): HostRun {
  const { sessionId, runId } = frame;
  const { log } = context;
  const label = `run ${runId} (session ${sessionId})`;
  const startedAt = performance.now();
  const outbox = new RunOutbox({ pauseAtBytes: context.maxUnackedBytes });
  let agent: AgentRun | undefined;
  let agentDone = false;
  let aborting = false;
  let paused = false;

  const abort = (reason: string) => {
    if (aborting || agentDone) return;
    aborting = true;
    log(`${label}: aborting (${reason})`);
    agent?.abort();
  };
  // Backpressure: past the outbox's bound, stop reading the agent until acks bring it down.
  const applyFlowControl = () => {
    if (outbox.wantsPause === paused || !agent) return;
    paused = outbox.wantsPause;
    if (paused) {
      agent.pause();
      log(`${label}: edge is ${Math.round(outbox.unackedBytes / 2 ** 20)} MiB behind; pausing the agent's output`);
    } else {
      agent.resume();
      log(`${label}: edge caught up; resuming the agent's output`);
    }
  };

  let linkEnded!: (outcome: RunLinkOutcome) => void;
  const linkOutcome = new Promise<RunLinkOutcome>((resolve) => (linkEnded = resolve)).then((outcome) => {
    // No ack will come any more: a paused agent (or adapter) must be let go, or it never finishes.
    if (paused) {
      paused = false;
      agent?.resume();
    }
    return outcome;
  });
  const link = new RunLink({
    ...context,
    sessionId,
    runId,
    runSecret: frame.runSecret,
    outbox,
    onAbort: abort,
    onApproval: (answer) => {
      if (agent?.answerApproval && !agentDone) agent.answerApproval(answer);
      else log(`${label}: dropped an answer to approval ${answer.approvalId} (this agent is not waiting for one)`);
    },
    onAcked: applyFlowControl,
    onFinished: linkEnded,
  });

  try {
    agent = context.adapter(frame, (lines) => {
      outbox.pushLines(lines);
      applyFlowControl();
      link.notify();
    });
  } catch (error) {
    agent = neverStarted(`agent-host could not prepare the run: ${(error as Error).message}`);
  }
  log(`${label}: started`);
  link.start();

  const agentExited = agent.exited
    .catch((error: Error): AgentExit => ({ code: null, signal: null, stderrTail: "", error: `agent-host lost the run: ${error.message}` }))
    .then((exit) => {
      agentDone = true;
      outbox.pushExit(exit);
      link.notify();
      const how = exit.error ? `an error (${exit.error})` : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      log(`${label}: ended with ${how} after ${formatDuration(performance.now() - startedAt)}, ${count(outbox.lastSeq - 1, "line")}`);
    });

  const finished = Promise.all([agentExited, linkOutcome]).then(([, outcome]) => {
    if (outcome !== "delivered" && outbox.ackedSeq < outbox.lastSeq) {
      const why = outcome === "refused" ? "the edge ended this run" : "the host stopped before the edge caught up";
      log(`${label}: ${why}; seq ${outbox.ackedSeq + 1} to ${outbox.lastSeq} were not acknowledged`);
    }
  });

  const started = agent;
  return {
    runId,
    abort,
    killNow() {
      started.killNow();
      link.stop();
    },
    agentExited,
    finished,
  };
}
