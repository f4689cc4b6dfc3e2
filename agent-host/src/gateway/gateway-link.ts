// The host's one connection to an openclaw gateway, through openclaw's reference client
// (@openclaw/gateway-client, pinned; it does the challenge, the signed connect, request correlation,
// ticks and reconnects). This file adds what the host needs on top: "ready" as a promise, a clear
// fatal error for a protocol version we do not speak, and routing of run events to the run that waits
// for them (by runId; session keys come back lowercased), with a "lost" notice to every open run when
// the connection drops, so no run waits for events that will never come.
import { GatewayClient, type GatewayClientRequestError } from "@openclaw/gateway-client";
import { PROTOCOL_VERSION } from "@openclaw/gateway-protocol/version";
import { APPROVAL_REQUESTED_LINE } from "../../../protocol/approval-lines.ts";
import type { Log } from "../log.ts";
import type { DeviceIdentityStore } from "./device-identity.ts";

/** The reference client's version (pinned in package.json), named in errors so a person knows what to match. */
export const GATEWAY_CLIENT_PACKAGE = "@openclaw/gateway-client 2026.9.1";

/** What the host asks for: chat (read/write), and approvals (exec approvals answered from the page). */
export const OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.approvals"];

/**
 * `tool-events`: without it the gateway sends no live tool events. `exec-approvals`: this client shows
 * exec approval requests to a person, so openclaw makes a turn wait for an answer instead of refusing
 * the command at once as it does for headless clients.
 */
const CLIENT_CAPS = ["tool-events", "exec-approvals"];

/** How many ended run ids the link remembers, to drop their late events. */
const MAX_ENDED_RUNS = 1000;

export type GatewayRequest = <T = Record<string, unknown>>(method: string, params: unknown, timeoutMs?: number) => Promise<T>;

export interface GatewayEvent {
  event: string;
  payload: Record<string, unknown>;
}

/** One run's view of the gateway: its events, and the news that the connection is gone. */
export interface GatewayRunListener {
  /** The run's session key: it also gets the session's events of runs nobody listens to (see #route). */
  sessionKey: string;
  onEvent(event: GatewayEvent): void;
  onLost(reason: string): void;
}

export interface GatewayLinkOptions {
  url: string;
  /** Which gateway this is for the stored device tokens (default: the URL). */
  gatewayKey?: string;
  /** The gateway's shared token (bootstrap auth); a device token is used once pairing issued one. */
  token?: string;
  password?: string;
  identity: DeviceIdentityStore;
  scopes?: string[];
  log: Log;
  /** Runs after every hello-ok, before the link counts as ready (and runs may send). */
  onConnected?: (request: GatewayRequest) => Promise<void>;
}

/** The gateway speaks a wire version this host does not: nothing will work until one of them changes. */
export class GatewayIncompatibleError extends Error {}

export class GatewayLink {
  readonly url: string;
  readonly #options: GatewayLinkOptions;
  #client: GatewayClient | undefined;
  #connected = false;
  #fatal: Error | undefined;
  #stopped = false;
  #lastConnectError = "";
  readonly #waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  readonly #runs = new Map<string, GatewayRunListener>();
  /** Runs that were ours and ended: their late events (after an abort) belong to no other run. */
  readonly #endedRuns = new Set<string>();

  constructor(options: GatewayLinkOptions) {
    this.url = options.url;
    this.#options = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the connection (the client retries by itself until it gets hello-ok). */
  start(): void {
    this.#stopped = false;
    this.#open();
  }

  /**
   * Dials again at once (a supervised gateway process is back) instead of waiting out the client's
   * reconnect backoff; a no-op when the client has already reconnected by itself.
   */
  redial(): void {
    if (this.#stopped || this.#fatal || this.#connected) return;
    this.#close("the host is reconnecting to the gateway");
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    this.#close("the host is stopping");
    for (const waiter of this.#waiters) waiter.reject(new Error("the host is stopping"));
    this.#waiters.clear();
  }

  /** Resolves at the next hello-ok (at once when connected); rejects on a fatal error or after `timeoutMs`. */
  whenReady(timeoutMs = Infinity): Promise<void> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.#waiters.delete(waiter);
          const why = this.#lastConnectError ? ` (last error: ${this.#lastConnectError})` : "";
          reject(new Error(`the openclaw gateway at ${this.url} did not answer within ${Math.round(timeoutMs / 1000)} s${why}`));
        }, timeoutMs);
      }
      this.#waiters.add(waiter);
    });
  }

  request<T = Record<string, unknown>>(method: string, params: unknown, timeoutMs?: number): Promise<T> {
    if (!this.#client || !this.#connected) return Promise.reject(new Error(`not connected to the openclaw gateway at ${this.url}`));
    return this.#client.request<T>(method, params, timeoutMs === undefined ? undefined : { timeoutMs });
  }

  /** Route events for `runId` to `listener` until the returned function is called. */
  listen(runId: string, listener: GatewayRunListener): () => void {
    const key = runId.toLowerCase();
    this.#runs.set(key, listener);
    return () => {
      if (this.#runs.get(key) !== listener) return;
      this.#runs.delete(key);
      this.#endedRuns.add(key);
      if (this.#endedRuns.size > MAX_ENDED_RUNS) this.#endedRuns.delete(this.#endedRuns.values().next().value!);
    };
  }

  #open(): void {
    const { url, token, password, identity, scopes, log } = this.#options;
    const client: GatewayClient = new GatewayClient({
      url,
      token,
      password,
      clientName: "gateway-client",
      clientDisplayName: "agent-relay host",
      clientVersion: "agent-relay",
      mode: "backend",
      role: "operator",
      scopes: scopes ?? OPERATOR_SCOPES,
      caps: CLIENT_CAPS,
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      deviceIdentity: identity.identity,
      hostDeps: identity.hostDeps(this.#options.gatewayKey ?? url),
      onHelloOk: (hello) => {
        if (this.#client !== client) return;
        this.#lastConnectError = "";
        void this.#ready(client, `protocol ${hello.protocol}, openclaw ${hello.server.version}`);
      },
      onConnectError: (error) => {
        if (this.#client !== client) return;
        const incompatible = incompatibility(error, url);
        if (incompatible) {
          this.#fail(incompatible);
          return;
        }
        if (error.message !== this.#lastConnectError) log(`openclaw gateway: cannot connect to ${url}: ${error.message}`);
        this.#lastConnectError = error.message;
      },
      onClose: (code, reason) => {
        if (this.#client !== client) return;
        this.#dropped(`the connection to the openclaw gateway closed with code ${code}${reason ? ` (${reason})` : ""}`);
      },
      onEvent: (frame) => this.#route({ event: frame.event, payload: (frame.payload ?? {}) as Record<string, unknown> }),
    });
    this.#client = client;
    client.start();
  }

  async #ready(client: GatewayClient, how: string): Promise<void> {
    try {
      await this.#options.onConnected?.((method, params, timeoutMs) =>
        client.request(method, params, timeoutMs === undefined ? undefined : { timeoutMs }),
      );
    } catch (error) {
      this.#options.log(`openclaw gateway: setting up the connection failed: ${(error as Error).message}`);
    }
    if (this.#client !== client) return;
    this.#connected = true;
    this.#options.log(`openclaw gateway: connected to ${this.url} (${how})`);
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    await this.#backfillApprovals(client);
  }

  /**
   * Requests made while this connection was not there (openclaw's docs/gateway/clients.md, "Backfill
   * exec approvals"): each goes to its session's turn like the live event; a turn writes an id once.
   */
  async #backfillApprovals(client: GatewayClient): Promise<void> {
    let listed: unknown;
    try {
      listed = await client.request("exec.approval.list", {});
    } catch (error) {
      this.#options.log(`openclaw gateway: exec.approval.list failed: ${(error as Error).message}`);
      return;
    }
    if (this.#client !== client) return;
    const entries = Array.isArray(listed) ? listed : (listed as { approvals?: unknown } | undefined)?.approvals;
    if (!Array.isArray(entries)) return;
    for (const entry of entries) {
      if (entry && typeof entry === "object") this.#route({ event: APPROVAL_REQUESTED_LINE, payload: entry as Record<string, unknown> });
    }
  }

  #close(reason: string): void {
    const client = this.#client;
    this.#client = undefined;
    client?.stop();
    this.#dropped(reason);
  }

  /**
   * The connection is gone: every run that waits for its events learns it now (they cannot come on
   * another connection). Runs that wait for the link to be ready have sent nothing yet and keep waiting.
   */
  #dropped(reason: string): void {
    if (!this.#connected) return;
    this.#options.log(`openclaw gateway: disconnected: ${reason}`);
    this.#connected = false;
    const runs = [...this.#runs.values()];
    this.#runs.clear();
    for (const run of runs) run.onLost(reason);
  }

  #fail(error: GatewayIncompatibleError): void {
    this.#fatal = error;
    this.#options.log(`openclaw gateway: ${error.message}`);
    this.#close(error.message);
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters.clear();
  }

  /**
   * To the run with this runId; else to the runs on the event's session: openclaw may answer a message
   * in a run of its own (a turn it resumed after a restart, with the message queued into it).
   */
  #route(event: GatewayEvent): void {
    const runId = typeof event.payload.runId === "string" ? event.payload.runId.toLowerCase() : undefined;
    const own = runId === undefined ? undefined : this.#runs.get(runId);
    if (own) {
      own.onEvent(event);
      return;
    }
    if (runId !== undefined && this.#endedRuns.has(runId)) return;
    const sessionKey = eventSessionKey(event.payload);
    if (!sessionKey) return;
    for (const run of this.#runs.values()) {
      if (run.sessionKey.toLowerCase() === sessionKey) run.onEvent(event);
    }
  }
}

/** The session key of an event without a run id (an approval request names it in `request`). */
function eventSessionKey(payload: Record<string, unknown>): string | undefined {
  const request = payload.request as Record<string, unknown> | undefined;
  const key = payload.sessionKey ?? request?.sessionKey;
  return typeof key === "string" ? key.toLowerCase() : undefined;
}

/** A connect error that no retry can fix: the gateway speaks another wire version. */
function incompatibility(error: Error, url: string): GatewayIncompatibleError | undefined {
  const details = (error as GatewayClientRequestError).details as Record<string, unknown> | undefined;
  const mismatch = details?.code === "PROTOCOL_MISMATCH" || /protocol mismatch/i.test(error.message);
  if (!mismatch) return undefined;
  const theirs = typeof details?.expectedProtocol === "number" ? `protocol ${details.expectedProtocol}` : "another protocol version";
  return new GatewayIncompatibleError(
    `the openclaw gateway at ${url} speaks ${theirs}, and this agent-host speaks protocol ${PROTOCOL_VERSION} ` +
      `(${GATEWAY_CLIENT_PACKAGE}); use an openclaw release that speaks protocol ${PROTOCOL_VERSION} or update agent-relay`,
  );
}
