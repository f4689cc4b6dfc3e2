// The control socket: one per host, kept open for as long as the host runs. Says hello (with the runs
// the host still holds, so the edge keeps routing their aborts here), receives start and abort, and
// carries refusals back. Pings the edge now and then, since a socket that died silently (a laptop
// that slept, a NAT that forgot us) would otherwise look open forever. Reconnects with backoff; a
// refused token ends the host instead.
import {
  CLOSE_HOST_ID_TAKEN,
  CONTROL_SOCKET_PATH,
  edgeToHostControlFrame,
  HOST_PROTOCOL_VERSION,
  parseFrame,
  PING_FRAME,
  PONG_FRAME,
  type AbortFrame,
  type EdgeToHostControlFrame,
  type HelloFrame,
  type HostToEdgeControlFrame,
  type StartFrame,
} from "../../protocol/host.ts";
import { formatDuration, type Log } from "./log.ts";
import { connectWithRetry } from "./reconnect.ts";

export const PING_INTERVAL_MS = 30_000;
/** No answer to a ping within this long: the socket is dead. */
export const PONG_TIMEOUT_MS = 10_000;
/** A connection that lasted this long was healthy: the next reconnect starts the backoff afresh. */
const HEALTHY_CONNECTION_MS = 10_000;

export interface ControlLinkOptions {
  baseUrl: string;
  token: string;
  hostId: string;
  maxRuns: number;
  log: Log;
  heldRuns: () => HelloFrame["runs"];
  onStart: (frame: StartFrame) => void;
  onAbort: (frame: AbortFrame) => void;
  onTokenRefused: (url: string) => void;
  /** Another host connected with this host's id (see CLOSE_HOST_ID_TAKEN). */
  onHostIdTaken: (hostId: string) => void;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

export class ControlLink {
  readonly #options: ControlLinkOptions;
  readonly #url: string;
  readonly #stop = new AbortController();
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
      this.#onLost(`closed with code ${event.code}${event.reason ? ` ${event.reason}` : ""}`);
    });
    const { hostId, maxRuns } = this.#options;
    this.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId, maxRuns, runs: this.#options.heldRuns() });
    this.#schedulePing();
  }

  #schedulePing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => {
      if (!this.#sendText(PING_FRAME)) return;
      const timeoutMs = this.#options.pongTimeoutMs ?? PONG_TIMEOUT_MS;
      this.#pongTimer = setTimeout(() => this.#onLost(`no answer to a ping for ${formatDuration(timeoutMs)}`), timeoutMs);
    }, this.#options.pingIntervalMs ?? PING_INTERVAL_MS);
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
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(code, reason);
  }

  #onMessage(text: string): void {
    // Any word from the edge shows the socket is alive.
    clearTimeout(this.#pongTimer);
    this.#schedulePing();
    if (text === PONG_FRAME) return;
    const parsed = parseFrame<EdgeToHostControlFrame>(edgeToHostControlFrame, text);
    if (!parsed.ok) {
      this.#options.log(`control: ignored a frame from the edge (${parsed.error})`);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "welcome") {
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
