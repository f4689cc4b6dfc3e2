// Test helpers that talk to the Worker the way browsers and agent hosts do.
import { SELF } from "cloudflare:test";
import { runSocketPath, type EdgeToHostControlFrame, type EdgeToHostRunFrame, type HostToEdgeRunFrame } from "../../../protocol/host.ts";
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

export function postChat(sessionId: string, text: string, messageId = `u-${crypto.randomUUID()}`): Promise<Response> {
  return api("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [userMessage(messageId, text)], trigger: "submit-message" }),
  });
}

/** A WebSocket that queues what it receives so a test can wait for the next frame. */
export class FrameSocket<In> {
  readonly socket: WebSocket;
  private readonly queue: In[] = [];
  private waiters: ((frame: In) => void)[] = [];
  closed = false;
  closeCode: number | null = null;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.accept();
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data as string) as In;
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.queue.push(frame);
    });
    socket.addEventListener("close", (event) => {
      this.closed = true;
      this.closeCode = event.code;
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
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

async function openSocket(path: string, token: string | null = HOST_TOKEN): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return SELF.fetch(`${BASE}${path}`, { headers });
}

/** An agent host's control socket that has said hello. */
export async function connectHost(hostId = "test-host", maxRuns = 4): Promise<FrameSocket<EdgeToHostControlFrame>> {
  const response = await openSocket("/api/host/connect");
  if (!response.webSocket) throw new Error(`control socket refused: ${response.status} ${await response.text()}`);
  const control = new FrameSocket<EdgeToHostControlFrame>(response.webSocket);
  control.send({ type: "hello", version: 1, hostId, maxRuns, runs: [] });
  await control.nextOfType("welcome");
  return control;
}

/** A run socket, dialled as `hostId`; the first frame the edge sends is the ack with the resume point. */
export async function openRun(sessionId: string, runId: string, hostId: string): Promise<{ run: FrameSocket<EdgeToHostRunFrame>; resumeAt: number }> {
  const response = await openSocket(runSocketPath(sessionId, runId, hostId));
  if (!response.webSocket) throw new Error(`run socket refused: ${response.status} ${await response.text()}`);
  const run = new FrameSocket<EdgeToHostRunFrame>(response.webSocket);
  const first = await run.next();
  if (first.type !== "ack") throw new Error(`expected ack first, got ${JSON.stringify(first)}`);
  return { run, resumeAt: first.seq };
}

/** Sends lines as frames of `perFrame`, waiting for each frame's ack. */
export async function sendLines(run: FrameSocket<EdgeToHostRunFrame>, firstSeq: number, lines: string[], perFrame = 50): Promise<number> {
  let seq = firstSeq;
  for (let i = 0; i < lines.length; i += perFrame) {
    const batch = lines.slice(i, i + perFrame);
    run.send({ type: "lines", firstSeq: seq, lines: batch } satisfies HostToEdgeRunFrame);
    seq += batch.length;
    const ack = await run.nextOfType("ack");
    if (ack.seq !== seq - 1) throw new Error(`ack ${ack.seq}, expected ${seq - 1}`);
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
