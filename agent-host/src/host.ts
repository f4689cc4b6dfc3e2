// The agent host: the control link's starts and aborts become runs (host-run.ts). This file keeps the
// table of runs, refuses what it cannot take, and shuts everything down in order.
import type { AbortFrame, StartFrame } from "../../protocol/host.ts";
import type { AgentAdapter } from "./adapters/adapter.ts";
import type { HostConfig } from "./config.ts";
import { ControlLink } from "./control-link.ts";
import { startHostRun, type HostRun } from "./host-run.ts";
import { count, type Log } from "./log.ts";

/** On shutdown: how long to wait for the runs' exits to be aborted, reported and acknowledged. */
export const SHUTDOWN_GRACE_MS = 6000;

export interface HostDependencies {
  adapter: AgentAdapter;
  log: Log;
  /** The edge refused the host token: the host cannot work and should exit. */
  onTokenRefused: (url: string) => void;
  /** Another host connected with this host's id: this one should exit. */
  onHostIdTaken: (hostId: string) => void;
}

export class AgentHost {
  readonly #config: HostConfig;
  readonly #deps: HostDependencies;
  readonly #control: ControlLink;
  readonly #runs = new Map<string, HostRun>();
  #agentsRunning = 0;
  #stopping = false;

  constructor(config: HostConfig, deps: HostDependencies) {
    this.#config = config;
    this.#deps = deps;
    this.#control = new ControlLink({
      baseUrl: config.url,
      token: config.token,
      hostId: config.hostId,
      maxRuns: config.maxRuns,
      agent: config.agent,
      log: deps.log,
      onStart: (frame) => this.#onStart(frame),
      onAbort: (frame) => this.#onAbort(frame),
      onTokenRefused: deps.onTokenRefused,
      onHostIdTaken: deps.onHostIdTaken,
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
    for (const run of this.#runs.values()) run.abort("the host is shutting down");
    await this.#allFinished(graceMs);
    // Whatever is left: kill it now and give the runs a moment to log what was not delivered.
    this.killAllNow();
    await this.#allFinished(1000);
    this.#control.stop();
  }

  /** SIGKILL every agent's process group at once (the host process is exiting). */
  killAllNow(): void {
    for (const run of this.#runs.values()) run.killNow();
  }

  async #allFinished(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.#runs.values()].map((run) => run.finished)), deadline]);
    clearTimeout(timer);
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
    if (this.#agentsRunning >= this.#config.maxRuns) {
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
    const run = startHostRun(frame, {
      ...this.#deps,
      baseUrl: this.#config.url,
      token: this.#config.token,
      hostId: this.#config.hostId,
      maxUnackedBytes: this.#config.maxUnackedBytes,
      batchDelayMs: this.#config.batchDelayMs,
    });
    this.#runs.set(run.runId, run);
    // --max-runs counts agents: a slot is free once the agent exits, while its last lines and exit may
    // still wait for the edge's ack (which follows the browser's finish, so a chat's next turn could
    // otherwise find the host busy with the turn it just saw end).
    this.#agentsRunning += 1;
    void run.agentExited.then(() => (this.#agentsRunning -= 1));
    void run.finished.then(() => this.#runs.delete(run.runId));
  }
}
