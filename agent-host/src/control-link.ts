// The control socket: one per host, kept open for as long as the host runs. Says hello (with this
// process's instance key, its proof on a reconnect that it is the same host), receives start and abort,
// and carries refusals back. Pings the edge on a fixed beat whatever the edge sends: the pings are how
// the edge knows the host is there (a busy host hears starts all the time but must still be heard),
// and an unanswered one shows a socket that died silently (a laptop that slept, a NAT that forgot us).
// Reconnects with backoff; a refused token ends the host instead.
import {
  CLOSE_HOST_ID_IN_USE,
  CLOSE_HOST_ID_TAKEN,
  CONTROL_SOCKET_PATH,
  edgeToHostControlFrame,
  HOST_PROTOCOL_VERSION,
  newSecret,
  parseFrame,
  PING_FRAME,
  PONG_FRAME,
  type AbortFrame,
  type EdgeToHostControlFrame,
  type HostToEdgeControlFrame,
  type StartFrame,
} from "../../protocol/host.ts";
import { HOST_PING_INTERVAL_MS, HOST_PONG_TIMEOUT_MS } from "../../protocol/limits.ts";
import { WebSocket } from "ws";
import { formatDuration, type Log } from "./log.ts";
import { connectWithRetry } from "./reconnect.ts";

/** A connection that lasted this long was healthy: the next reconnect starts the backoff afresh. */
const HEALTHY_CONNECTION_MS = 10_000;

export interface ControlLinkOptions {
  baseUrl: string;
  token: string;
  hostId: string;
  maxRuns: number;
  /** The agent kind the hello names (shown to people choosing a host). */
  agent?: string;
  log: Log;
  onStart: (frame: StartFrame) => void;
  onAbort: (frame: AbortFrame) => void;
  onTokenRefused: (url: string) => void;
  /** Another host connected with this host's id (see CLOSE_HOST_ID_TAKEN). */
  onHostIdTaken: (hostId: string) => void;
  /** At most this interval between pings (default HOST_PING_INTERVAL_MS; the welcome may ask for less). */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

export class ControlLink {
  readonly #options: ControlLinkOptions;
  readonly #url: string;
  readonly #stop = new AbortController();
  /** This process's proof, on a reconnect, that it is the host that said hello before. */
  readonly #instanceKey = newSecret();
  #pingIntervalMs: number;
  #socket: WebSocket | undefined;
  #connectedAt = 0;
  #lostAt: number | undefined;
  #lostReason = "";
  /** Short-lived connections in a row: each waits longer before redialling. */
  #drops = 0;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;

  constructor(options: ControlLinkOptions) {
    this.#options = options;
    this.#url = options.baseUrl + CONTROL_SOCKET_PATH;
    this.#pingIntervalMs = options.pingIntervalMs ?? HOST_PING_INTERVAL_MS;
  }

  start(): void {
    void this.#connect();
  }

  /** Send a frame if connected; returns false when it could not be sent. */
  send(frame: HostToEdgeControlFrame): boolean {
    return this.#sendText(JSON.stringify(frame));
  }

  #sendText(text: string): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(text);
    return true;
  }

  stop(): void {
    this.#stop.abort();
    this.#drop(1000, "host stopping");
  }

  async #connect(): Promise<void> {
    const outcome = await connectWithRetry({
      ...this.#options,
      url: this.#url,
      label: "control",
      signal: this.#stop.signal,
      previousFailures: this.#drops,
    });
    if (outcome.kind === "stopped") return;
    if (outcome.kind === "token-refused") {
      this.#options.onTokenRefused(this.#url);
      return;
    }
    const socket = outcome.socket;
    this.#socket = socket;
    this.#connectedAt = performance.now();
    socket.addEventListener("message", (event) => {
      if (socket === this.#socket) this.#onMessage(String(event.data));
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.#socket) return;
      if (event.code === CLOSE_HOST_ID_TAKEN) {
        this.#drop(1000, "host id taken");
        this.#options.onHostIdTaken(this.#options.hostId);
        return;
      }
      if (event.code === CLOSE_HOST_ID_IN_USE) {
        // Another live connection holds our id. If it is our own previous process whose socket died
        // silently, the edge lets it go after its silence limit; so keep trying, with backoff.
        this.#onLost(`another agent host is connected as "${this.#options.hostId}"`);
        return;
      }
      this.#onLost(`closed with code ${event.code}${event.reason ? ` ${event.reason}` : ""}`);
    });
    socket.resume();
    const { hostId, maxRuns, agent } = this.#options;
    this.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId, instanceKey: this.#instanceKey, maxRuns, ...(agent === undefined ? {} : { agent }) });
    this.#schedulePing();
  }

  /** The next ping, one interval from now; it does not wait for the edge to fall silent. */
  #schedulePing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => this.#ping(), this.#pingIntervalMs);
  }

  #ping(): void {
    if (!this.#sendText(PING_FRAME)) return;
    if (this.#pongTimer === undefined) {
      const timeoutMs = this.#options.pongTimeoutMs ?? HOST_PONG_TIMEOUT_MS;
      this.#pongTimer = setTimeout(() => this.#onLost(`no answer to a ping for ${formatDuration(timeoutMs)}`), timeoutMs);
    }
    this.#schedulePing();
  }

  #onLost(reason: string): void {
    const lived = performance.now() - this.#connectedAt;
    this.#drop(4000, "reconnecting");
    this.#drops = lived >= HEALTHY_CONNECTION_MS ? 1 : this.#drops + 1;
    this.#lostAt ??= performance.now();
    this.#lostReason = reason;
    void this.#connect();
  }

  #drop(code: number, reason: string): void {
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(code, reason);
  }

  #onMessage(text: string): void {
    // Any word from the edge answers an outstanding ping (the socket is alive); the beat goes on.
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    if (text === PONG_FRAME) return;
    const parsed = parseFrame<EdgeToHostControlFrame>(edgeToHostControlFrame, text);
    if (!parsed.ok) {
      this.#options.log(`control: ignored a frame from the edge (${parsed.error})`);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "welcome") {
      // The edge's silence limit decides how often it must hear from us.
      if (frame.pingIntervalMs < this.#pingIntervalMs) {
        this.#pingIntervalMs = frame.pingIntervalMs;
        this.#schedulePing();
      }
      const again = this.#lostAt === undefined ? "" : ` again after ${formatDuration(performance.now() - this.#lostAt)} (${this.#lostReason})`;
      this.#options.log(`control: connected to ${this.#url} as ${frame.hostId}${again}`);
      this.#lostAt = undefined;
    } else if (frame.type === "start") {
      this.#options.onStart(frame);
    } else {
      this.#options.onAbort(frame);
    }
  }
}
