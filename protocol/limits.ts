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
