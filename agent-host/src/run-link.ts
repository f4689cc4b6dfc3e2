// The run socket: carries one run's outbox to the session's object, across as many connections as
// it takes, until the edge has acknowledged the exit.
//
// On every (re)connect the edge first sends `ack {seq}`, its resume point; sending restarts at seq + 1.
// Lines are batched (a frame goes out once it is full or ~5 ms after its first line was produced) and
// several frames may be in flight before their acks return. A connection that goes silent while
// frames wait for acks, or on which the edge reports a (non-fatal) error, is given up and redialled:
// the edge's resume point on the new one puts both sides back in step.
import { edgeToHostRunFrame, parseFrame, type RunApprovalFrame, PING_FRAME, PONG_FRAME, RUN_SECRET_HEADER, runSocketPath, type EdgeToHostRunFrame } from "../../protocol/host.ts";
import { RUN_PING_INTERVAL_MS, STORE_WINDOW_MS } from "../../protocol/limits.ts";
import { WebSocket } from "ws";
import { formatDuration, type Log } from "./log.ts";
import { connectWithRetry } from "./reconnect.ts";
import type { RunOutbox } from "./run-outbox.ts";

/** The default batch window: a frame goes out at the latest this long after its first line. */
export const BATCH_DELAY_MS = 5;
/**
 * Frames sent and not yet acknowledged, at most (and their bytes). The edge acknowledges once per store
 * window (STORE_WINDOW_MS), and lines that come one at a time leave in a frame each, at most one per
 * batch window: so a window holds up to STORE_WINDOW_MS / BATCH_DELAY_MS + 1 frames, and twice that keeps
 * a live agent's lines from waiting on an ack.
 */
export const MAX_FRAMES_IN_FLIGHT = 2 * (Math.ceil(STORE_WINDOW_MS / BATCH_DELAY_MS) + 1);
export const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;
/** Silence from the edge while it owes an answer, before the connection is considered dead. */
export const ACK_TIMEOUT_MS = 20_000;

/** A person's decision on an approval request, as the edge forwards it. */
export type ApprovalAnswer = Omit<RunApprovalFrame, "type">;

/** How a run link ended: exit stored by the edge, the edge refused the run, or the host stopped it. */
export type RunLinkOutcome = "delivered" | "refused" | "stopped";

export interface RunLinkOptions {
  baseUrl: string;
  token: string;
  sessionId: string;
  runId: string;
  hostId: string;
  /** From the start frame: the run socket presents it, proving it is this host's run. */
  runSecret: string;
  outbox: RunOutbox;
  log: Log;
  /** The edge wants the agent stopped (an abort, or a fatal error: the run is over there). */
  onAbort: (reason: string) => void;
  /** A person answered one of the run's approval requests (the edge checked it is pending). */
  onApproval: (answer: ApprovalAnswer) => void;
  /** Acks moved the outbox forward (the host may lift a pause). */
  onAcked: () => void;
  onTokenRefused: (url: string) => void;
  onFinished: (outcome: RunLinkOutcome) => void;
  ackTimeoutMs?: number;
  batchDelayMs?: number;
  pingIntervalMs?: number;
}

export class RunLink {
  readonly #options: RunLinkOptions;
  readonly #url: string;
  readonly #label: string;
  readonly #stop = new AbortController();
  #socket: WebSocket | undefined;
  /** The current socket has received the edge's resume point. */
  #resumed = false;
  /** Highest sequence number sent on the current socket. */
  #sentSeq = 0;
  #inFlight: { lastSeq: number; bytes: number }[] = [];
  #inFlightBytes = 0;
  /** When the oldest unsent line was produced (undefined: nothing unsent). */
  #unsentSince: number | undefined;
  #batchTimer: NodeJS.Timeout | undefined;
  #silenceTimer: NodeJS.Timeout | undefined;
  #lostAt: number | undefined;
  #lostReason = "";
  /** Connections lost in a row without a resume point in between: each waits longer before redialling. */
  #drops = 0;
  #finished = false;

  constructor(options: RunLinkOptions) {
    this.#options = options;
    this.#url = options.baseUrl + runSocketPath(options.sessionId, options.runId, options.hostId);
    this.#label = `run ${options.runId} (session ${options.sessionId})`;
  }

  start(): void {
    void this.#connect();
  }

  /** New items in the outbox. */
  notify(): void {
    if (this.#finished) return;
    this.#unsentSince ??= performance.now();
    this.#pump();
  }

  /** Stop for good without waiting for the edge (host shutdown). */
  stop(): void {
    this.#finish("stopped");
  }

  async #connect(): Promise<void> {
    const outcome = await connectWithRetry({
      ...this.#options,
      url: this.#url,
      headers: { [RUN_SECRET_HEADER]: this.#options.runSecret },
      label: this.#label,
      signal: this.#stop.signal,
      previousFailures: this.#drops,
    });
    if (outcome.kind === "stopped") return;
    if (outcome.kind === "token-refused") {
      this.#finish("stopped");
      this.#options.onTokenRefused(this.#url);
      return;
    }
    this.#attach(outcome.socket);
  }

  #attach(socket: WebSocket): void {
    this.#socket = socket;
    this.#resumed = false;
    this.#inFlight = [];
    this.#inFlightBytes = 0;
    socket.addEventListener("message", (event) => {
      if (socket === this.#socket) this.#onMessage(String(event.data));
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.#socket) this.#onLost(`closed with code ${event.code}${event.reason ? ` ${event.reason}` : ""}`);
    });
    socket.resume();
    this.#armSilenceTimer();
  }

  #onMessage(text: string): void {
    if (text === PONG_FRAME) {
      this.#armSilenceTimer();
      return;
    }
    const parsed = parseFrame<EdgeToHostRunFrame>(edgeToHostRunFrame, text);
    if (!parsed.ok) {
      this.#options.log(`${this.#label}: ignored a frame from the edge (${parsed.error})`);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "ack") this.#onAck(frame.seq);
    else if (frame.type === "abort") this.#options.onAbort("the edge asked to abort");
    else if (frame.type === "approval") {
      const { type: _type, ...answer } = frame;
      this.#options.onApproval(answer);
    }
    else if (frame.fatal) {
      this.#options.log(`${this.#label}: the edge ended the run: ${frame.error}`);
      this.#options.onAbort(frame.error);
      this.#finish("refused");
    } else {
      // The edge disagrees with what we sent (it should not happen): start over from its resume point.
      this.#onLost(`the edge reported: ${frame.error}`);
    }
  }

  #onAck(seq: number): void {
    const { outbox } = this.#options;
    if (!outbox.ack(seq)) {
      this.#options.log(`${this.#label}: the edge acknowledged ${seq} after ${outbox.ackedSeq}; resending from ${outbox.ackedSeq + 1}`);
    }
    if (!this.#resumed) {
      // The first ack on a socket is the edge's resume point: everything after it goes (again).
      this.#resumed = true;
      this.#drops = 0;
      this.#sentSeq = outbox.ackedSeq;
      if (this.#lostAt !== undefined) {
        const away = formatDuration(performance.now() - this.#lostAt);
        this.#options.log(`${this.#label}: reconnected after ${away} (${this.#lostReason}); resending from seq ${this.#sentSeq + 1}`);
        this.#lostAt = undefined;
      }
    }
    while (this.#inFlight.length > 0 && this.#inFlight[0]!.lastSeq <= outbox.ackedSeq) {
      this.#inFlightBytes -= this.#inFlight.shift()!.bytes;
    }
    this.#options.onAcked();
    if (outbox.delivered) {
      this.#finish("delivered");
      return;
    }
    this.#armSilenceTimer();
    this.#pump();
  }

  #pump(): void {
    const socket = this.#socket;
    if (!socket || !this.#resumed || socket.readyState !== WebSocket.OPEN) return;
    const { outbox } = this.#options;
    while (this.#inFlight.length < MAX_FRAMES_IN_FLIGHT && this.#inFlightBytes < MAX_BYTES_IN_FLIGHT) {
      if (outbox.lastSeq <= this.#sentSeq) {
        this.#unsentSince = undefined;
        break;
      }
      // A frame that is not full waits for more lines until its first line has waited the batch window.
      const batchWindow = this.#options.batchDelayMs ?? BATCH_DELAY_MS;
      const waited = this.#unsentSince === undefined ? batchWindow : performance.now() - this.#unsentSince;
      const frame = outbox.frameFrom(this.#sentSeq + 1, waited >= batchWindow);
      if (!frame) {
        this.#batchTimer ??= setTimeout(() => {
          this.#batchTimer = undefined;
          this.#pump();
        }, batchWindow - waited);
        break;
      }
      // The frame's bytes are its UTF-8 text (run-outbox.ts), sent as a text message.
      socket.send(frame.data, { binary: false });
      this.#sentSeq = frame.lastSeq;
      this.#inFlight.push({ lastSeq: frame.lastSeq, bytes: frame.data.length });
      this.#inFlightBytes += frame.data.length;
    }
    this.#armSilenceTimer();
  }

  /**
   * While the edge owes us its resume point or acks, it must not stay silent for long. An idle socket
   * is pinged now and then instead, and the pong is owed like an ack.
   */
  // An idle socket (an agent thinking, a long tool) is pinged every RUN_PING_INTERVAL_MS, so the edge
  // can tell a quiet host from a vanished one (it gives up on a run socket silent for RUN_SILENCE_MS).
  #armSilenceTimer(): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
    if (this.#finished) return;
    if (this.#resumed && this.#inFlight.length === 0) {
      this.#silenceTimer = setTimeout(() => this.#ping(), this.#options.pingIntervalMs ?? RUN_PING_INTERVAL_MS);
      return;
    }
    this.#expectAnswer("no answer from the edge");
  }

  #ping(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(PING_FRAME);
    this.#expectAnswer("no answer to a ping");
  }

  #expectAnswer(what: string): void {
    const timeoutMs = this.#options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.#silenceTimer = setTimeout(() => this.#onLost(`${what} for ${formatDuration(timeoutMs)}`), timeoutMs);
  }

  #onLost(reason: string): void {
    if (this.#finished) return;
    this.#dropSocket(4000, "reconnecting");
    this.#lostAt ??= performance.now();
    this.#lostReason = reason;
    this.#drops += 1;
    void this.#connect();
  }

  #dropSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#resumed = false;
    clearTimeout(this.#silenceTimer);
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(code, reason);
  }

  #finish(outcome: RunLinkOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stop.abort();
    this.#dropSocket(1000, outcome);
    this.#options.onFinished(outcome);
  }
}
