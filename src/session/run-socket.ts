// The run socket protocol, the edge's side: the socket a host dials for one run (straight to the
// session object, not through the hub). It checks that the socket is the run's own host (the run
// secret), gives the host its resume point (what is stored), takes `lines` frames in order (lines at or
// below what it took in are dropped, a gap is refused), takes the exit, and drops a socket whose host
// has gone silent. The batches it takes in go to the store window; a run it must end goes to `endRun`.
import { parseRunFrame, PING_FRAME, PONG_FRAME, type EdgeToHostRunFrame, type ExitFrame, type LinesFrame } from "../../protocol/host.ts";
import { MAX_FRAME_BYTES, MAX_LINE_BYTES, MAX_LINES_PER_RUN, MAX_RUN_BYTES, MAX_STDERR_TAIL_CHARS } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { translateBatch } from "../translate/batch.ts";
import type { RunEnd } from "../translate/translator.ts";
import { describe } from "../translate/describe-error.ts";
import { utf8Bytes } from "./byte-limits.ts";
import type { LiveRun } from "./live-run.ts";
import type { RunStore } from "./run-store.ts";
import type { SessionSettings } from "./settings.ts";
import type { StoreWindow } from "./store-window.ts";

const encoder = new TextEncoder();

export interface RunSocketDeps {
  settings: SessionSettings;
  runs: RunStore;
  window: StoreWindow;
  /** The object's running run now (null when none). */
  liveRun(): LiveRun | null;
  /** Persists the run's end, then drops the live run (SessionObject.endRun). */
  endRun(live: LiveRun, end: RunEnd, lineSeq?: number): Promise<void>;
  /** A window that could not be stored: the run ends. */
  failStore(live: LiveRun, error: unknown): Promise<void>;
  scheduleAlarm(): Promise<void>;
  /** Tells the hub, in the background, that a run ended (again: it may still count it against its host). */
  repeatRunEnded(runId: string): void;
}

export class RunSocket {
  private readonly deps: RunSocketDeps;

  constructor(deps: RunSocketDeps) {
    this.deps = deps;
  }

  accept(runId: string, hostId: string, runSecret: string): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    const live = this.deps.liveRun();
    const run = live?.record.id === runId ? live.record : this.deps.runs.latest();
    if (run?.id === runId && run.hostId === null) {
      // The hub has sent the start but its answer has not reached this object yet: nothing to check
      // the secret against. The host redials after a short backoff, as after any refused frame.
      send(server, { type: "error", error: `run ${runId} is not assigned to a host yet`, fatal: false });
      server.close(4409, "run not assigned yet");
      return new Response(null, { status: 101, webSocket: client });
    }
    if (run?.id === runId && (run.hostId !== hostId || !sameSecret(run.runSecret, runSecret))) {
      // Only the host the run was given to holds its secret: another one (a stale process, a second
      // machine, anyone else with the host token) must not write into, end or even probe this run.
      const error = run.hostId !== hostId ? `run ${runId} belongs to agent host "${run.hostId}", not "${hostId}"` : `wrong run secret for run ${runId}`;
      send(server, { type: "error", error, fatal: true });
      server.close(4403, "not this host's run");
      return new Response(null, { status: 101, webSocket: client });
    }
    if (!live || live.record.id !== runId) {
      const ended = run; // the session's latest run, read above
      // A host whose last ack was lost learns that its exit was stored before it is told to stop.
      if (ended?.id === runId && ended.lastLineSeq !== null) send(server, { type: "ack", seq: ended.lastLineSeq });
      // The hub may still count the run against its host (its runEnded call failed): say it again.
      if (ended?.id === runId) this.deps.repeatRunEnded(runId);
      const error = ended?.id === runId ? "this run has already ended" : "no such run in this session";
      send(server, { type: "error", error, fatal: true });
      server.close(4409, error);
      return new Response(null, { status: 101, webSocket: client });
    }
    live.socket?.close(4000, "replaced by a newer connection");
    live.socket = server;
    live.heardAt = Date.now();
    this.watchRunSocket(live);
    if (!live.record.abortRequested) live.deadline = null;
    // The resume point is what is stored: store what was taken in first, so the host resends nothing twice.
    try {
      this.deps.window.storePending(live);
    } catch (error) {
      void this.deps.failStore(live, error);
      return new Response(null, { status: 101, webSocket: client });
    }
    server.addEventListener("message", (event) => {
      void this.onRunFrame(server, event.data);
    });
    const gone = () => this.onRunSocketGone(server);
    server.addEventListener("close", gone);
    server.addEventListener("error", gone);
    send(server, { type: "ack", seq: live.storedLineSeq });
    if (live.record.abortRequested) send(server, { type: "abort" });
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Whatever fails while a frame is handled ends the run with a visible error: never a frame left
   * unanswered (the host would resend it for ever) or a run left running.
   */
  private async onRunFrame(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    try {
      await this.handleRunFrame(socket, data);
    } catch (error) {
      console.error("run frame failed", error);
      const live = this.deps.liveRun();
      if (live?.socket !== socket) return;
      await this.deps
        .endRun(live, { error: `The relay failed while handling the agent's output (${describe(error)}); the run was stopped.` })
        .catch((again: unknown) => console.error("ending the run failed", again));
    }
  }

  private async handleRunFrame(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const live = this.deps.liveRun();
    if (!live || live.socket !== socket) return;
    live.heardAt = Date.now();
    if (data === PING_FRAME) {
      sendText(socket, PONG_FRAME);
      return;
    }
    if (typeof data !== "string") {
      send(socket, { type: "error", error: "frames must be text", fatal: false });
      return;
    }
    if (data.length > MAX_FRAME_BYTES) {
      // Never parse it: a well-behaved host splits its frames below the limit (protocol/limits.ts).
      send(socket, { type: "error", error: `frame larger than ${MAX_FRAME_BYTES} bytes`, fatal: false });
      return;
    }
    const parsed = parseRunFrame(data);
    if (!parsed.ok) {
      send(socket, { type: "error", error: parsed.error, fatal: false });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "lines") await this.acceptLines(live, socket, frame);
    else await this.acceptExit(live, socket, frame);
  }

  private async acceptLines(live: LiveRun, socket: WebSocket, frame: LinesFrame): Promise<void> {
    const expected = live.lineSeq + 1;
    if (frame.firstSeq > expected) {
      refuseGap(live, socket, frame.firstSeq);
      return;
    }
    const fresh = frame.lines.slice(expected - frame.firstSeq);
    if (fresh.length === 0) {
      send(socket, { type: "ack", seq: live.storedLineSeq });
      return;
    }
    const room = MAX_LINES_PER_RUN - live.lineSeq;
    const accepted = fresh.length > room ? fresh.slice(0, room) : fresh;
    const lines = accepted.map(withinLineLimit);
    // Translated off to the side; taken in (sent to browsers) whole, stored with its store window.
    this.deps.window.adopt(live, live.lineSeq + accepted.length, translateBatch(live.translator, lines));
    this.deps.window.scheduleStore(live);
    if (accepted.length < fresh.length) {
      await this.deps.endRun(live, { error: `The run exceeded ${MAX_LINES_PER_RUN} agent lines and was stopped.` });
    } else if (live.storedBytes > MAX_RUN_BYTES) {
      await this.deps.endRun(live, { error: `The run's output passed ${MAX_RUN_BYTES} bytes and was stopped.` });
    }
  }

  private async acceptExit(live: LiveRun, socket: WebSocket, frame: ExitFrame): Promise<void> {
    if (frame.seq <= live.lineSeq) {
      send(socket, { type: "ack", seq: live.storedLineSeq });
      return;
    }
    if (frame.seq > live.lineSeq + 1) {
      refuseGap(live, socket, frame.seq);
      return;
    }
    const { code, signal, error } = frame;
    // The host keeps only this much; a host that sends more is not trusted with the edge's time.
    const stderrTail = frame.stderrTail.slice(-MAX_STDERR_TAIL_CHARS);
    await this.deps.endRun(live, { exit: { code, signal, stderrTail, error }, aborted: live.record.abortRequested }, frame.seq);
  }

  /** Drops the run socket once its host has been silent too long (see SessionSettings.runSilenceMs). */
  private watchRunSocket(live: LiveRun): void {
    if (live.silenceTimer) return;
    // Cleared when the socket goes (onRunSocketGone) or the run ends (endRun).
    live.silenceTimer = setInterval(() => {
      const socket = live.socket;
      if (socket && Date.now() - live.heardAt > this.deps.settings.runSilenceMs) {
        socket.close(4408, "no word from the host");
        this.onRunSocketGone(socket);
      }
    }, Math.min(this.deps.settings.runSilenceMs / 3, 10_000));
  }

  private onRunSocketGone(socket: WebSocket): void {
    const live = this.deps.liveRun();
    if (!live || live.socket !== socket) return;
    live.socket = null;
    if (live.silenceTimer) clearInterval(live.silenceTimer);
    live.silenceTimer = null;
    // Wait for the host to come back and resend what was not acknowledged.
    live.deadline = Math.min(live.deadline ?? Infinity, Date.now() + this.deps.settings.hostGraceMs);
    void this.deps.scheduleAlarm();
  }
}

export function send(socket: WebSocket, frame: EdgeToHostRunFrame): void {
  sendText(socket, JSON.stringify(frame));
}

/** A gap would lose lines: refuse the frame and tell the host where to resume. */
function refuseGap(live: LiveRun, socket: WebSocket, got: number): void {
  send(socket, { type: "error", error: `sequence gap: expected ${live.lineSeq + 1}, got ${got}`, fatal: false });
  send(socket, { type: "ack", seq: live.storedLineSeq });
}

function sendText(socket: WebSocket, text: string): void {
  try {
    socket.send(text);
  } catch {
    // The socket closed under us; the host reconnects and gets the resume point.
  }
}

/**
 * The line, or its skip marker when it is over the limit. A UTF-8 byte count is only needed for lines
 * that might be (3 bytes per UTF-16 unit at most).
 */
function withinLineLimit(line: string): string {
  const bytes = line.length * 3 > MAX_LINE_BYTES ? utf8Bytes(line) : 0;
  return bytes > MAX_LINE_BYTES ? skippedLineMarker("line-too-long", bytes) : line;
}

/** Compares a presented run secret with the stored one in constant time. */
function sameSecret(stored: string | null, presented: string): boolean {
  if (stored === null) return false;
  const a = encoder.encode(stored);
  const b = encoder.encode(presented);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}
