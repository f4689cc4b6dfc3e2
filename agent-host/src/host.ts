// The agent host: the control link's starts and aborts become agent runs, each with its outbox and
// run link. This file only wires those pieces together and keeps the table of runs.
import type { AbortFrame, HelloFrame, StartFrame } from "../../protocol/host.ts";
import type { AgentAdapter } from "./adapters/adapter.ts";
import type { HostConfig } from "./config.ts";
import { ControlLink } from "./control-link.ts";
import { count, formatDuration, type Log } from "./log.ts";
import type { DialFunction } from "./reconnect.ts";
import { RunLink, type RunLinkOutcome } from "./run-link.ts";
import { RunOutbox } from "./run-outbox.ts";
import type { AgentRun } from "./runner.ts";

/** On shutdown: how long to wait for the runs' exits to be aborted, reported and acknowledged. */
export const SHUTDOWN_GRACE_MS = 6000;

export interface HostDependencies {
  adapter: AgentAdapter;
  log: Log;
  /** The edge refused the host token: the host cannot work and should exit. */
  onTokenRefused: (url: string) => void;
  dialFn?: DialFunction;
}

interface HeldRun {
  sessionId: string;
  runId: string;
  agent: AgentRun;
  /** Abort the agent (logged once, however many times the edge asks). */
  abort: (reason: string) => void;
  link: RunLink;
  /** Settles once the agent has exited and its run link has ended. */
  finished: Promise<void>;
}

export class AgentHost {
  readonly #config: HostConfig;
  readonly #deps: HostDependencies;
  readonly #control: ControlLink;
  readonly #runs = new Map<string, HeldRun>();
  #stopping = false;

  constructor(config: HostConfig, deps: HostDependencies) {
    this.#config = config;
    this.#deps = deps;
    this.#control = new ControlLink({
      baseUrl: config.url,
      token: config.token,
      hostId: config.hostId,
      maxRuns: config.maxRuns,
      log: deps.log,
      heldRuns: () => this.#heldRuns(),
      onStart: (frame) => this.#onStart(frame),
      onAbort: (frame) => this.#onAbort(frame),
      onTokenRefused: deps.onTokenRefused,
      dialFn: deps.dialFn,
    });
  }

  start(): void {
    const { hostId, agent, maxRuns, url } = this.#config;
    this.#deps.log(`agent-host ${hostId}: ${agent} agent, up to ${count(maxRuns, "run")} at once, edge ${url}`);
    this.#control.start();
  }

  get runCount(): number {
    return this.#runs.size;
  }

  /** Abort every run (TERM, then KILL), wait up to `graceMs` for the edge to store their exits, then stop. */
  async shutdown(graceMs: number = SHUTDOWN_GRACE_MS): Promise<void> {
    this.#stopping = true;
    const runs = [...this.#runs.values()];
    for (const run of runs) run.abort("the host is shutting down");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(runs.map((run) => run.finished)), deadline]);
    clearTimeout(timer);
    for (const run of this.#runs.values()) {
      this.#deps.log(`run ${run.runId} (session ${run.sessionId}): exit not acknowledged by the edge before shutdown`);
      run.agent.killNow();
      run.link.stop();
    }
    this.#control.stop();
  }

  /** SIGKILL every agent's process group at once (the host process is exiting). */
  killAllNow(): void {
    for (const run of this.#runs.values()) run.agent.killNow();
  }

  #heldRuns(): HelloFrame["runs"] {
    return [...this.#runs.values()].map(({ sessionId, runId }) => ({ sessionId, runId }));
  }

  #onStart(frame: StartFrame): void {
    const refusal = this.#refusal(frame);
    if (refusal) {
      this.#deps.log(`run ${frame.runId} (session ${frame.sessionId}): refused: ${refusal}`);
      this.#control.send({ type: "run-rejected", sessionId: frame.sessionId, runId: frame.runId, error: refusal });
      return;
    }
    this.#launch(frame);
  }

  #refusal(frame: StartFrame): string | undefined {
    if (this.#stopping) return `agent host "${this.#config.hostId}" is shutting down`;
    if (this.#runs.has(frame.runId)) return `run ${frame.runId} is already running on agent host "${this.#config.hostId}"`;
    if (this.#runs.size >= this.#config.maxRuns) {
      return `agent host "${this.#config.hostId}" is busy: it runs at most ${count(this.#config.maxRuns, "agent")} at once (--max-runs)`;
    }
    return undefined;
  }

  #onAbort(frame: AbortFrame): void {
    const run = this.#runs.get(frame.runId);
    if (!run) {
      this.#deps.log(`run ${frame.runId} (session ${frame.sessionId}): abort for a run this host does not hold; ignored`);
      return;
    }
    run.abort("the edge asked to abort");
  }

  #launch(frame: StartFrame): void {
    const { sessionId, runId } = frame;
    const label = `run ${runId} (session ${sessionId})`;
    const { log } = this.#deps;
    const startedAt = performance.now();
    const outbox = new RunOutbox({ pauseAtBytes: this.#config.maxUnackedBytes });
    let paused = false;
    // Backpressure: past the outbox's bound, stop reading the agent until acks bring it down.
    const applyFlowControl = () => {
      if (outbox.wantsPause === paused) return;
      paused = outbox.wantsPause;
      if (paused) agent.pause();
      else agent.resume();
      log(`${label}: ${paused ? `edge is ${Math.round(outbox.unackedBytes / 2 ** 20)} MiB behind; pausing the agent's output` : "edge caught up; resuming the agent's output"}`);
    };

    let linkEnded!: (outcome: RunLinkOutcome) => void;
    const linkOutcome = new Promise<RunLinkOutcome>((resolve) => (linkEnded = resolve));
    const link = new RunLink({
      baseUrl: this.#config.url,
      token: this.#config.token,
      sessionId,
      runId,
      outbox,
      log,
      onAbort: (reason) => abort(reason),
      onAcked: applyFlowControl,
      onTokenRefused: this.#deps.onTokenRefused,
      onFinished: linkEnded,
      dialFn: this.#deps.dialFn,
    });
    const agent = this.#deps.adapter(frame, (lines) => {
      outbox.pushLines(lines);
      applyFlowControl();
      link.notify();
    });
    let aborting = false;
    let agentDone = false;
    const abort = (reason: string) => {
      if (aborting || agentDone) return;
      aborting = true;
      log(`${label}: aborting (${reason})`);
      agent.abort();
    };
    log(`${label}: started`);
    link.start();

    const agentExited = agent.exited.then((exit) => {
      agentDone = true;
      outbox.pushExit(exit);
      link.notify();
      const how = exit.error ? `an error (${exit.error})` : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      log(`${label}: ended with ${how} after ${formatDuration(performance.now() - startedAt)}, ${count(outbox.lastSeq - 1, "line")}`);
    });
    const finished = Promise.all([agentExited, linkOutcome]).then(([, outcome]) => {
      this.#runs.delete(runId);
      if (outcome === "refused" && outbox.ackedSeq < outbox.lastSeq) {
        log(`${label}: the edge ended this run; seq ${outbox.ackedSeq + 1} to ${outbox.lastSeq} were not acknowledged`);
      }
    });
    this.#runs.set(runId, { sessionId, runId, agent, abort, link, finished });
  }
}
