// Test helpers that talk to the Worker the way browsers and agent hosts do.
import { SELF } from "cloudflare:test";
import {
  encodeLinesFrame,
  HOST_PROTOCOL_VERSION,
  newSecret,
  RUN_SECRET_HEADER,
  runSocketPath,
  type EdgeToHostControlFrame,
  type EdgeToHostRunFrame,
  type HostToEdgeRunFrame,
  type LinesFrame,
} from "../../../protocol/host.ts";
import { collectEvents, type SseEvent } from "../../support/sse-reader.ts";

export type { SseEvent };

export const RELAY_TOKEN = "test-relay-token";
export const HOST_TOKEN = "test-host-token";
const BASE = "https://relay.test";

export function api(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? RELAY_TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

export function userMessage(id: string, text: string) {
  return { id, role: "user", parts: [{ type: "text", text }] };
}

/** POST /api/chat with one new user message; `hostId` picks the host for a chat's first turn. */
export function postChat(sessionId: string, text: string, messageId = `u-${crypto.randomUUID()}`, hostId?: string): Promise<Response> {
  return api("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [userMessage(messageId, text)], trigger: "submit-message", ...(hostId ? { hostId } : {}) }),
  });
}

/** The session's row in GET /api/chats (its first page), if it is listed. */
export async function chatIndexEntry(sessionId: string): Promise<{ hostId: string | null } | undefined> {
  const index = (await (await api("/api/chats")).json()) as { id: string; hostId: string | null }[];
  return index.find((entry) => entry.id === sessionId);
}

/** A WebSocket that queues what it receives so a test can wait for the next frame. */
function isLinesFrame(frame: unknown): frame is LinesFrame {
  return typeof frame === "object" && frame !== null && (frame as { type?: unknown }).type === "lines";
}

export class FrameSocket<In> {
  readonly socket: WebSocket;
  private readonly queue: In[] = [];
  private waiters: ((frame: In) => void)[] = [];
  closed = false;
  closeCode: number | null = null;
  closeReason = "";

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.accept();
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data as string) as In;
      rememberRunSecret(frame);
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.queue.push(frame);
    });
    socket.addEventListener("close", (event) => {
      this.closed = true;
      this.closeCode = event.code;
      this.closeReason = event.reason;
    });
  }

  /** A frame's text as it is, or a frame as the host would send it (a lines frame in its own form). */
  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : isLinesFrame(frame) ? encodeLinesFrame(frame.firstSeq, frame.lines) : JSON.stringify(frame));
  }

  next(timeoutMs = 5_000): Promise<In> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no frame within timeout")), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** Waits for the first frame of a type, dropping others before it. */
  async nextOfType<K extends string>(type: K, timeoutMs = 5_000): Promise<Extract<In, { type: K }>> {
    for (;;) {
      const frame = (await this.next(timeoutMs)) as In & { type: string };
      if (frame.type === type) return frame as Extract<In, { type: K }>;
    }
  }

  close(): void {
    this.socket.close(1000, "test done");
  }
}

/** Run secrets from the start frames fake hosts received, so `openRun` presents them as a host would. */
const runSecrets = new Map<string, string>();

function rememberRunSecret(frame: unknown): void {
  const start = frame as { type?: string; runId?: string; runSecret?: string };
  if (start.type === "start" && start.runId && start.runSecret) runSecrets.set(start.runId, start.runSecret);
}

async function openSocket(path: string, token: string | null = HOST_TOKEN, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket", ...extraHeaders };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return SELF.fetch(`${BASE}${path}`, { headers });
}

/** An agent host's control socket, not yet said hello. */
export async function openControl(): Promise<FrameSocket<EdgeToHostControlFrame>> {
  const response = await openSocket("/api/host/connect");
  if (!response.webSocket) throw new Error(`control socket refused: ${response.status} ${await response.text()}`);
  return new FrameSocket<EdgeToHostControlFrame>(response.webSocket);
}

/** An agent host's control socket that has said hello (as one host process: `instanceKey`). */
export async function connectHost(hostId = "test-host", maxRuns = 4, instanceKey = newSecret()): Promise<FrameSocket<EdgeToHostControlFrame>> {
  const control = await openControl();
  control.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId, instanceKey, maxRuns });
  await control.nextOfType("welcome");
  return control;
}

/**
 * A run socket, dialled as `hostId` with the run's secret (by default the one its start frame
 * carried); the first frame the edge sends is the ack with the resume point.
 */
export async function openRun(
  sessionId: string,
  runId: string,
  hostId: string,
  runSecret = runSecrets.get(runId) ?? "",
): Promise<{ run: FrameSocket<EdgeToHostRunFrame>; resumeAt: number }> {
  const response = await openSocket(runSocketPath(sessionId, runId, hostId), HOST_TOKEN, { [RUN_SECRET_HEADER]: runSecret });
  if (!response.webSocket) throw new Error(`run socket refused: ${response.status} ${await response.text()}`);
  const run = new FrameSocket<EdgeToHostRunFrame>(response.webSocket);
  const first = await run.next();
  if (first.type !== "ack") throw new Error(`expected ack first, got ${JSON.stringify(first)}`);
  return { run, resumeAt: first.seq };
}

/** Sends lines as frames of `perFrame`, then waits until the edge has acknowledged (stored) them all. */
export async function sendLines(run: FrameSocket<EdgeToHostRunFrame>, firstSeq: number, lines: string[], perFrame = 50): Promise<number> {
  // Like the host: every frame goes out at once, and the edge acknowledges a store window's worth together.
  let seq = firstSeq;
  for (let i = 0; i < lines.length; i += perFrame) {
    const batch = lines.slice(i, i + perFrame);
    run.send({ type: "lines", firstSeq: seq, lines: batch } satisfies HostToEdgeRunFrame);
    seq += batch.length;
  }
  for (let acked = firstSeq - 1; acked < seq - 1; ) {
    const ack = await run.nextOfType("ack");
    if (ack.seq < acked || ack.seq > seq - 1) throw new Error(`ack ${ack.seq}, expected ${acked}..${seq - 1}`);
    acked = ack.seq;
  }
  return seq;
}

export async function sendExit(run: FrameSocket<EdgeToHostRunFrame>, seq: number, code: number | null = 0, extra: Partial<{ signal: string; stderrTail: string; error: string }> = {}): Promise<void> {
  run.send({ type: "exit", seq, code, signal: extra.signal ?? null, stderrTail: extra.stderrTail ?? "", ...(extra.error ? { error: extra.error } : {}) });
  await run.nextOfType("ack");
}

/** Reads an SSE response to its end (or until `stopAfter` data events), returning the events. */
export async function readSse(response: Response, stopAfter = Infinity): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (stopAfter > 0) await collectEvents(response.body!, (event) => events.push(event) >= stopAfter);
  else await response.body!.cancel();
  return events;
}

export function chunksOf(events: SseEvent[]): { type: string; [key: string]: unknown }[] {
  return events.filter((event) => event.data !== "[DONE]").map((event) => JSON.parse(event.data));
}
