// Dial until a socket opens, waiting longer after each failure; stop early when the edge refuses the
// token (retrying cannot change that) or when the caller gives up.
import { setTimeout as sleep } from "node:timers/promises";
import type { WebSocket } from "ws";
import { backoffDelay, RECONNECT_BACKOFF } from "./backoff.ts";
import { dial } from "./dial.ts";
import { formatDuration, type Log } from "./log.ts";

export interface ConnectOptions {
  url: string;
  token: string;
  /** Extra request headers for the upgrade (a run socket's secret). */
  headers?: Record<string, string>;
  /** Names the socket in log lines, e.g. "control" or "run r1". */
  label: string;
  log: Log;
  signal: AbortSignal;
  /** Connections that failed or broke just before this call: the first dial waits as if after them. */
  previousFailures?: number;
}

export type ConnectOutcome =
  /** Paused, as dial gives it: `resume()` it once its listeners are on. */
  | { kind: "open"; socket: WebSocket }
  | { kind: "token-refused" }
  | { kind: "stopped" };

export async function connectWithRetry(options: ConnectOptions): Promise<ConnectOutcome> {
  let attempt = options.previousFailures ?? 0;
  if (attempt > 0 && !(await pause(backoffDelay(attempt - 1, RECONNECT_BACKOFF), options.signal))) return { kind: "stopped" };
  for (;;) {
    if (options.signal.aborted) return { kind: "stopped" };
    const result = await dial(options.url, options.token, options.headers);
    if (options.signal.aborted) {
      if (result.ok) {
        result.socket.resume();
        result.socket.close(1000, "host stopping");
      }
      return { kind: "stopped" };
    }
    if (result.ok) return { kind: "open", socket: result.socket };
    if (result.status === 401) return { kind: "token-refused" };
    const delay = backoffDelay(attempt, RECONNECT_BACKOFF);
    attempt += 1;
    options.log(`${options.label}: cannot connect to ${options.url} (${result.reason}); retrying in ${formatDuration(delay)}`);
    if (!(await pause(delay, options.signal))) return { kind: "stopped" };
  }
}

/** Wait `ms`; false when the signal fired first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
