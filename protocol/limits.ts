// Limits shared by the edge and the agent host. docs/api.md and docs/host-protocol.md list them;
// changing one here changes both sides at once.

/** Session and run ids: what may appear in a URL path segment and a Durable Object name. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** One agent stdout line, in UTF-8 bytes. Longer lines are replaced by a skip marker (never split). */
export const MAX_LINE_BYTES = 256 * 1024;

/** One frame on a run socket, in UTF-8 bytes (workerd accepts WebSocket messages up to 1 MiB). */
export const MAX_FRAME_BYTES = 900 * 1024;

/** Lines per frame: the host batches up to this many lines when they come fast. */
export const MAX_LINES_PER_FRAME = 2000;

/** `POST /api/chat` request body, in bytes. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The text of one user message, in characters. */
export const MAX_MESSAGE_CHARS = 100_000;

/** Agent lines accepted in one run; past it the run is ended with a visible error. */
export const MAX_LINES_PER_RUN = 200_000;

/** The stderr tail the host keeps and reports at exit, in characters. */
export const MAX_STDERR_TAIL_CHARS = 8 * 1024;

// ---- timings the agent host and the edge must agree on (docs/host-protocol.md) ----

/**
 * The host pings its control socket this often, whatever else the edge sends it (starts and aborts
 * do not count: they are the edge talking, not the host). The edge's welcome may ask for a shorter
 * interval (`welcome.pingIntervalMs`), so an edge configured with a shorter silence limit is obeyed.
 */
export const HOST_PING_INTERVAL_MS = 30_000;

/** No frame from the edge within this long after a ping: the host drops the socket and redials. */
export const HOST_PONG_TIMEOUT_MS = 10_000;

/**
 * A control socket on which the host has said nothing (no frame of any kind, no ping) for this long
 * belongs to a host that vanished without closing it: the edge closes it and sends it no run. Two and
 * a half ping intervals, so one lost ping never drops a host. The edge reads `HOST_SILENCE_MS` from its
 * vars (tests scale it down) and tells the host to ping at `hostPingIntervalFor(silence)`.
 */
export const HOST_SILENCE_MS = 75_000;

/** The ping interval that fits a silence limit (HOST_SILENCE_MS -> HOST_PING_INTERVAL_MS). */
export function hostPingIntervalFor(silenceMs: number): number {
  return Math.floor((silenceMs * 2) / 5);
}

/** An idle run socket (an agent thinking, a long tool call) is pinged by the host this often. */
export const RUN_PING_INTERVAL_MS = 20_000;

/** A run socket silent this long is dropped by the edge (three missed pings); `RUN_SILENCE_MS` var. */
export const RUN_SILENCE_MS = 60_000;

/** Runs one host may hold at once (`--max-runs`), and so the most a `hello` may list. */
export const MAX_RUNS_PER_HOST = 64;

/**
 * How deep arrays and objects may nest in one agent line or one request body. JSON.parse takes any
 * depth, but structuredClone and RPC serialization recurse and overflow the stack a few thousand levels
 * down; a deeper agent line is skipped with a visible note, a deeper body gets a 400.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * UTF-8 bytes of stored events (chunk JSON) one run may produce; past it the run is ended with a visible
 * error. Its answer then stays well below an object call's 32 MiB.
 */
export const MAX_RUN_BYTES = 24 * 1024 * 1024;

/** UTF-8 bytes of stored messages one session may hold; past it the session takes no new message (507). */
export const MAX_SESSION_BYTES = 128 * 1024 * 1024;

/**
 * The edge stores a run's lines (and acknowledges them) at most this long after it received them, or
 * sooner once a row's worth of events is waiting; it sends their events to browsers at once. Until the
 * ack, the host's copy is the only durable one (docs/architecture.md, "The store window"). The host
 * keeps a window's frames in flight (agent-host/src/run-link.ts) and waits far longer for an ack.
 */
export const STORE_WINDOW_MS = 250;
