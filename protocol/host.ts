// The host <-> edge protocol: the one definition both sides import (docs/host-protocol.md).
//
// Two kinds of WebSocket, both opened by the host with `Authorization: Bearer <HOST_TOKEN>`:
// - the control socket, `GET /api/host/connect`: one per host, mostly idle; carries hello, start,
//   abort and refusals.
// - a run socket per run, `GET /api/host/sessions/:sessionId/runs/:runId`: straight to that session's
//   object; carries the agent's lines and the exit, and the edge's acknowledgements.
//
// Every item of a run (each stdout line, then the exit) has a per-run sequence number starting at 1.
// The edge acknowledges the highest number it has stored; the host resends everything above it after a
// reconnect, and the edge drops anything at or below what it stored. So each line is taken exactly once.
//
// Hosts are identities (docs/host-protocol.md, "Who may do what"): the host token lets a host connect,
// but a run socket must also present the run's secret from its start frame, and a live host's id can
// only be taken over by a connection that presents the same instance key.
import { z } from "zod";
import { ID_PATTERN, MAX_LINES_PER_FRAME, MAX_RUNS_PER_HOST } from "./limits.ts";

/**
 * 2: run secrets (start frame, run socket header), instance keys (hello), ping interval (welcome).
 * 3: a lines frame carries its lines as they are, one per line of the frame (encodeLinesFrame), and a
 * frame once sent is resent with the same lines (the edge makes a frame's events from the frame).
 */
export const HOST_PROTOCOL_VERSION = 3;

const id = z.string().regex(ID_PATTERN, "must match [A-Za-z0-9_-]{1,128}");
const seq = z.number().int().min(1);

/** An agent kind as a hello names it: a short lowercase word, shown to people as it is. */
const AGENT_KIND_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** A random secret: 32 bytes as base64url (43 characters). Run secrets and instance keys. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
const secret = z.string().regex(SECRET_PATTERN, "must be 32..128 characters of [A-Za-z0-9_-]");

export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The request header a run socket presents the run's secret in (a header: URLs end up in logs). */
export const RUN_SECRET_HEADER = "x-agent-relay-run-secret";

// ---- control socket: host -> edge ----

export const helloFrame = z.object({
  type: z.literal("hello"),
  version: z.literal(HOST_PROTOCOL_VERSION, { error: (issue) => `this edge speaks host protocol ${HOST_PROTOCOL_VERSION}, the host ${String(issue.input)}: update the agent host` }),
  hostId: id,
  /**
   * Random per host process, the same on every reconnect of that process. A hello may replace a live
   * connection with the same host id only when it presents the same key (it is that process, back).
   */
  instanceKey: secret,
  // The runs a host holds are not listed: the edge remembers which host it gave each run to, and a
  // hello must not be able to claim (or store) any other run.
  maxRuns: z.number().int().min(1).max(MAX_RUNS_PER_HOST),
  /**
   * What kind of agent this host runs (its --agent, e.g. "openclaw" or "jsonl"), for people choosing a
   * host (GET /api/hosts). Optional: a version-2 host that does not send it is listed without one.
   */
  agent: z.string().regex(AGENT_KIND_PATTERN, "must match [a-z0-9_-]{1,32}").optional(),
});

export const runRejectedFrame = z.object({
  type: z.literal("run-rejected"),
  sessionId: id,
  runId: id,
  error: z.string(),
});

export const hostToEdgeControlFrame = z.discriminatedUnion("type", [helloFrame, runRejectedFrame]);

// ---- control socket: edge -> host ----

export const welcomeFrame = z.object({
  type: z.literal("welcome"),
  hostId: id,
  /** How often the host must ping this control socket (the edge's silence limit decides it). */
  pingIntervalMs: z.number().int().min(100),
});

export const startFrame = z.object({
  type: z.literal("start"),
  sessionId: id,
  runId: id,
  message: z.string(),
  /** The agent's own session id, so a chat continues one agent conversation. */
  agentSessionId: id,
  /** The run socket presents it (RUN_SECRET_HEADER): only the host given the run can write to it. */
  runSecret: secret,
});

export const abortFrame = z.object({ type: z.literal("abort"), sessionId: id, runId: id });

export const edgeToHostControlFrame = z.discriminatedUnion("type", [welcomeFrame, startFrame, abortFrame]);

// ---- run socket: host -> edge ----

/**
 * Consecutive stdout lines, `firstSeq` for the first. On the wire (encodeLinesFrame) the header is one
 * line of JSON and each agent line follows on a line of its own, as the agent wrote it: a line never
 * holds "\n" (it is what ends one), and the JSON-escaped array this replaced cost the host a third of
 * its time per line and the edge a second parse (docs/performance.md). Once sent, a frame is resent
 * with exactly the same lines: the edge makes a frame's events from the whole frame (it merges its
 * adjacent text), so after a restart it makes the same events only from the same frames.
 */
export const linesFrameHeader = z.object({ type: z.literal("lines"), firstSeq: seq });

export type LinesFrame = z.infer<typeof linesFrameHeader> & { lines: string[] };

/** A lines frame's header line, with the "\n" that ends it. */
const linesFrameHead = (firstSeq: number) => `{"type":"lines","firstSeq":${firstSeq}}\n`;

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/**
 * The frame of `lines`, as the UTF-8 bytes of a text message: each line valid UTF-8 without "\n".
 * Bytes, not text: the host has the agent's lines as the bytes it read, and decoding them to build a
 * string that the socket encodes again cost it ~0.2-0.4 µs a line (docs/performance.md).
 */
export function encodeLinesFrameBytes(firstSeq: number, lines: readonly Uint8Array[]): Uint8Array {
  let linesBytes = 0;
  for (const line of lines) linesBytes += line.length;
  const head = encoder.encode(linesFrameHead(firstSeq));
  const frame = new Uint8Array(head.length + linesBytes + Math.max(0, lines.length - 1));
  frame.set(head);
  let at = head.length;
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) frame[at++] = NEWLINE;
    frame.set(lines[i]!, at);
    at += lines[i]!.length;
  }
  return frame;
}

/** The same frame as text, from lines as text (none may hold "\n"). */
export function encodeLinesFrame(firstSeq: number, lines: readonly string[]): string {
  return linesFrameHead(firstSeq) + lines.join("\n");
}

/** The bytes a lines frame adds to its lines' own (and one "\n" per line after the first). */
export function linesFrameOverheadBytes(firstSeq: number): number {
  return linesFrameHead(firstSeq).length;
}

/** The agent ended (or never started). `seq` is the last line's number plus one. */
export const exitFrame = z.object({
  type: z.literal("exit"),
  seq,
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** The last few KB of the agent's stderr. */
  stderrTail: z.string().default(""),
  /** Set when the agent could not be started (ENOENT, EACCES, ...) or the adapter failed. */
  error: z.string().optional(),
});

export type HostToEdgeRunFrame = LinesFrame | ExitFrame;

/** A run frame from the host: a lines frame (its header line, then its lines) or a JSON frame (the exit). */
export function parseRunFrame(text: string): { ok: true; frame: HostToEdgeRunFrame } | { ok: false; error: string } {
  const newline = text.indexOf("\n");
  if (newline === -1) {
    const exit = parseFrame(exitFrame, text);
    // A version-2 host's lines frame (the lines in a JSON array) would otherwise read as a bad exit.
    if (!exit.ok && text.startsWith('{"type":"lines"')) return { ok: false, error: "invalid frame: a lines frame's lines follow its header line, one per line (host protocol 3)" };
    return exit;
  }
  const header = parseFrame(linesFrameHeader, text.slice(0, newline));
  if (!header.ok) return header;
  const lines = text.slice(newline + 1).split("\n");
  if (lines.length > MAX_LINES_PER_FRAME) return { ok: false, error: `invalid frame: more than ${MAX_LINES_PER_FRAME} lines` };
  return { ok: true, frame: { ...header.frame, lines } };
}

// ---- run socket: edge -> host ----

/** Everything up to and including `seq` is stored. Sent on connect (the resume point) and per frame. */
export const ackFrame = z.object({ type: z.literal("ack"), seq: z.number().int().min(0) });

/** The edge refuses the socket or a frame; `fatal` means the run is over on the edge and the host must stop it. */
export const runErrorFrame = z.object({ type: z.literal("error"), error: z.string(), fatal: z.boolean() });

/** Stop the agent (also sent on the control socket, whichever reaches the host first). */
export const runAbortFrame = z.object({ type: z.literal("abort") });

/** An approval id as the agent names it (openclaw: a UUID); the same pattern checks the browser's route. */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** The longest reason a person may give with a decision. */
export const MAX_APPROVAL_REASON_CHARS = 1000;

/**
 * A person's answer to an approval request of this run (an `exec.approval.requested` line). Only the
 * edge sends it, only for a request the run is still waiting on; a host that never writes approval
 * lines never gets one, so adding it needed no new protocol version.
 */
export const runApprovalFrame = z.object({
  type: z.literal("approval"),
  approvalId: z.string().regex(APPROVAL_ID_PATTERN, "must match [A-Za-z0-9_.:-]{1,128}"),
  approved: z.boolean(),
  reason: z.string().max(MAX_APPROVAL_REASON_CHARS).optional(),
});

export const edgeToHostRunFrame = z.discriminatedUnion("type", [ackFrame, runErrorFrame, runAbortFrame, runApprovalFrame]);

export type HelloFrame = z.infer<typeof helloFrame>;
export type RunRejectedFrame = z.infer<typeof runRejectedFrame>;
export type HostToEdgeControlFrame = z.infer<typeof hostToEdgeControlFrame>;
export type StartFrame = z.infer<typeof startFrame>;
export type AbortFrame = z.infer<typeof abortFrame>;
export type EdgeToHostControlFrame = z.infer<typeof edgeToHostControlFrame>;
export type ExitFrame = z.infer<typeof exitFrame>;
export type AckFrame = z.infer<typeof ackFrame>;
export type RunApprovalFrame = z.infer<typeof runApprovalFrame>;
export type EdgeToHostRunFrame = z.infer<typeof edgeToHostRunFrame>;

/**
 * URL path of a run socket. `hostId` names the host that dials it (for the edge's messages); what
 * proves the socket is that host's is the run's secret in RUN_SECRET_HEADER.
 */
export function runSocketPath(sessionId: string, runId: string, hostId: string): string {
  return `/api/host/sessions/${sessionId}/runs/${runId}?host=${hostId}`;
}

export const CONTROL_SOCKET_PATH = "/api/host/connect";

/**
 * Keep-alive on the control socket: the host sends exactly PING_FRAME (e.g. every 30 s) and the edge
 * answers PONG_FRAME without waking its object; no pong within a while means the socket is dead.
 */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/**
 * The close code the edge gives a control socket when another connection says hello with the same host
 * id. A host that reconnected has already left the old socket; a live host getting it means a second
 * host uses its id, and it stops rather than knock the other off in turn, forever.
 */
export const CLOSE_HOST_ID_TAKEN = 4001;

/**
 * The close code a hello gets when a live connection already uses its host id with another instance
 * key. The first host stays; the newer one retries with backoff (a restarted host whose old connection
 * died silently gets the id once the edge gives up on that one, after HOST_SILENCE_MS).
 */
export const CLOSE_HOST_ID_IN_USE = 4002;

/** Parse one frame's text with a schema; a readable error instead of a throw. */
export function parseFrame<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; frame: T } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, error: `invalid frame: ${issue?.path.join(".") || "(root)"}: ${issue?.message}` };
  }
  return { ok: true, frame: result.data };
}
