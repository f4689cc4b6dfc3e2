// The session Durable Object: one per chat session. A thin shell that wires I/O (the host's run socket,
// browsers' SSE streams, SQLite, alarms) to the pure translator and accumulator.
//
// The rule that makes it lossless: the host's lines are acknowledged only once their events are written
// to SQLite (the output gate holds the ack until the write is durable), and the translator is
// deterministic. Events go to browsers as soon as they are translated; they are stored at the end of a
// store window (STORE_WINDOW_MS), a few frames in one row. An object that restarts rebuilds its run from
// storage and re-translates what the host resends into the very same events under the same ids, so a
// browser that saw an event before its row was written sees it again, equal, if it asks for it. The
// window and the double fault that could lose it: docs/architecture.md, "The store window".
import { DurableObject } from "cloudflare:workers";
import type { UIMessage } from "ai";
import { hostToEdgeRunFrame, parseFrame, PING_FRAME, PONG_FRAME, RUN_SECRET_HEADER, type EdgeToHostRunFrame, type ExitFrame, type LinesFrame } from "../../protocol/host.ts";
import { MAX_FRAME_BYTES, MAX_LINE_BYTES, MAX_LINES_PER_RUN, MAX_RUN_BYTES, MAX_SESSION_BYTES, MAX_STDERR_TAIL_CHARS, STORE_WINDOW_MS } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { encodeEvents, SSE_DONE, SSE_KEEPALIVE } from "../sse.ts";
import { translateBatch, type TranslatedBatch } from "../translate/batch.ts";
import type { RelayUIMessage, ResumePoint, UIChunk } from "../translate/chunks.ts";
import type { RunEnd, RunTranslator } from "../translate/translator.ts";
import { jsonError } from "../http-errors.ts";
import { hostOfflineError } from "../hub/host-errors.ts";
import { chatHostConflictError, hostMoveNote } from "./chat-host.ts";
import { newLiveRun, restoreLiveRun, type LiveRun } from "./live-run.ts";
import { HISTORY_PAGE_BYTES, MAX_EVENT_ROW_BYTES, utf8Bytes } from "./byte-limits.ts";
import { historyResponse } from "./history-response.ts";
import { MessageStore } from "./message-store.ts";
import { RunLog } from "./run-log.ts";
import { RunStore, type RunStatus } from "./run-store.ts";
import { Subscriber } from "./subscriber.ts";
import { sessionSettings, type SessionSettings } from "./settings.ts";

const encoder = new TextEncoder();
const KEEPALIVE_BYTES = encoder.encode(SSE_KEEPALIVE);
const DONE_BYTES = encoder.encode(SSE_DONE);
const MATERIALIZE_INTERVAL_MS = 2_000;
/** The meta row naming the host this chat's turns go to (set by its first run, changed by a move; "": none). */
const CHAT_HOST_KEY = "hostId";
/** The run that gave the chat its host: if that host refuses it, the chat has no host yet. */
const HOST_CHOSEN_BY_RUN_KEY = "hostChosenByRun";

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
  "x-vercel-ai-ui-message-stream": "v1",
};

export interface StartChatInput {
  sessionId: string;
  userMessage: UIMessage;
  /** The text the agent receives. */
  text: string;
  /** The client asked to regenerate: what followed the user message is replaced. */
  regenerate: boolean;
  /** The host a new chat asks for; a chat that has a host must name that one or none. */
  hostId?: string;
}

export class SessionObject extends DurableObject<Env> {
  private readonly runLog: RunLog;
  private readonly messages: MessageStore;
  private readonly runs: RunStore;
  private readonly settings: SessionSettings;
  private live: LiveRun | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private keepaliveTimer: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.runLog = new RunLog(sql);
    this.messages = new MessageStore(sql);
    this.runs = new RunStore(sql);
    this.settings = sessionSettings(env);
    ctx.storage.transactionSync(() => this.runLog.migrateSharedTable());
    const latest = this.runs.latest();
    if (latest?.status === "running") {
      // Evicted or restarted mid-run: rebuild, then wait for the host to reconnect and resend.
      const { live, damage } = restoreLiveRun(latest, this.runLog, Date.now());
      this.live = live;
      live.deadline = Date.now() + (latest.abortRequested ? this.settings.abortGraceMs : this.settings.hostGraceMs);
      if (damage) {
        // The run cannot go on from a log it cannot read; ending it keeps the session usable.
        ctx.waitUntil(this.endRun(live, { error: `The run could not be resumed after a restart: ${damage}.` }));
      } else {
        ctx.waitUntil(this.scheduleAlarm());
      }
    }
  }

  // ---- HTTP entry points (called by the Worker after it authenticated and validated) ----

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const runSocket = url.pathname.match(/^\/host-run\/([^/]+)$/);
    if (runSocket && request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return this.acceptRunSocket(runSocket[1]!, url.searchParams.get("host") ?? "", request.headers.get(RUN_SECRET_HEADER) ?? "");
    }
    return jsonError(404, "not found");
  }

  /** POST /api/chat: persist the user message, start a run on a host, answer with its stream. */
  async startChat(input: StartChatInput): Promise<Response> {
    this.setMeta("sessionId", input.sessionId);
    if (this.live) return jsonError(409, "a run is already active in this session");
    if (this.messages.storedBytes() > MAX_SESSION_BYTES) {
      return jsonError(507, `this session holds more than ${MAX_SESSION_BYTES} bytes of messages and takes no new message; start a new chat`);
    }
    // A chat's turns run where its first one did: the agent's memory of it is on that machine.
    const chatHost = this.chatHost();
    if (chatHost !== null && input.hostId !== undefined && input.hostId !== chatHost) {
      return jsonError(409, chatHostConflictError(chatHost, input.hostId));
    }
    const now = Date.now();
    const runId = crypto.randomUUID();
    const addedUserMessage = this.messages.insertIfAbsent(input.userMessage);
    const record = this.runs.create({
      id: runId,
      userMessageId: input.userMessage.id,
      assistantMessageId: `assistant-${runId}`,
      startedAt: now,
      // Event ids go on from the previous run's, so a Last-Event-ID never names an event of two runs.
      eventBase: this.runs.latest()?.lastEventSeq ?? 0,
    });
    const live = newLiveRun(record, now);
    live.deadline = now + this.settings.hostGraceMs;
    this.live = live;
    // Nothing ran: leave the session as it was before the request.
    const undo = () => {
      if (this.live === live) this.live = null;
      this.runs.remove(runId);
      this.runLog.compact(runId);
      if (addedUserMessage) this.messages.remove(input.userMessage.id);
      this.endStreams(); // a resume that joined the run meanwhile must not wait on it forever
    };
    try {
      const translator = live.translator.copy();
      this.storeNow(live, 0, batchOf(translator, translator.start()));
    } catch (error) {
      undo();
      return jsonError(500, `the run could not be stored: ${describe(error)}`);
    }

    const started = await this.hub()
      .startRun({ sessionId: input.sessionId, runId, message: input.text, agentSessionId: input.sessionId }, chatHost ?? input.hostId ?? null)
      .catch((error: unknown) => ({ ok: false as const, error: `could not reach the host hub: ${String(error)}` }));
    if (!started.ok) {
      undo();
      return jsonError(503, started.error);
    }
    // The run is on: what it replaces goes (the previous run's replay, and on regenerate the old answer).
    live.record.hostId = started.hostId;
    live.record.runSecret = started.runSecret;
    this.runs.assignHost(runId, started.hostId, started.runSecret);
    if (chatHost === null) {
      this.setMeta(CHAT_HOST_KEY, started.hostId);
      this.setMeta(HOST_CHOSEN_BY_RUN_KEY, runId);
    }
    this.runs.keepOnly(runId);
    this.runLog.compactAllBut(runId);
    if (input.regenerate) this.messages.removeAfter(input.userMessage.id);
    await this.scheduleAlarm();
    await this.updateIndex("running");
    return this.resume(0);
  }

  /** GET /api/chat/:id/stream: the current run's events after `afterSeq`, then live until it ends. */
  resume(afterSeq: number): Response {
    const run = this.runs.latest();
    if (!run || (run.status !== "running" && Date.now() - (run.endedAt ?? 0) > this.settings.runGraceMs)) {
      return new Response(null, { status: 204 });
    }
    const live = this.live?.record.id === run.id ? this.live : null;
    const lastSeq = live ? live.eventSeq : (run.lastEventSeq ?? this.runLog.tail(run.id).eventSeq);
    // An id from another run (an earlier one, or beyond an ended one) means this run is new to the
    // client. Beyond a running run's last event is the store window a restart lost: the host resends
    // its lines and they come out as the same events, so the subscriber waits for what follows its id.
    const after = afterSeq >= run.eventBase && (afterSeq <= lastSeq || live) ? afterSeq : run.eventBase;
    const subscriber = new Subscriber((gone) => this.dropSubscriber(gone));
    this.follow(subscriber, run.id, after);
    return new Response(subscriber.stream, { headers: SSE_HEADERS });
  }

  /** POST /api/chat/:id/abort */
  async abort(): Promise<{ aborted: boolean }> {
    const live = this.live;
    if (!live) return { aborted: false };
    if (!live.record.abortRequested) {
      live.record.abortRequested = true;
      this.runs.markAbortRequested(live.record.id);
    }
    this.sendToHost(live, { type: "abort" });
    live.deadline = Math.min(live.deadline ?? Infinity, Date.now() + this.settings.abortGraceMs);
    await this.scheduleAlarm();
    await this.hub().abortRun(this.sessionId(), live.record.id);
    return { aborted: true };
  }

  /**
   * POST /api/chat/:id/approvals/:approvalId: a person's answer to a request the running turn waits on,
   * sent on the run socket (only the run's own host holds it). Not stored here: the host's outcome
   * line, translated like any line, is what every tab and the stored message show.
   */
  answerApproval(approvalId: string, approved: boolean, reason?: string): Response {
    const live = this.live;
    if (!live) return jsonError(409, "no run is active in this session");
    if (!live.translator.awaitsApproval(approvalId)) return jsonError(409, `the running turn is not waiting for approval ${approvalId}`);
    if (!live.socket) return jsonError(503, "the agent host of this run is not connected right now; try again in a moment");
    this.sendToHost(live, { type: "approval", approvalId, approved, ...(reason === undefined ? {} : { reason }) });
    return Response.json({ sent: true }, { status: 202 });
  }

  /**
   * GET /api/chat/:id/messages: one page of the history, the newest messages before `before` within
   * HISTORY_PAGE_BYTES (see MessageStore.page), streamed; a running answer is included as it stands now.
   */
  history(before: string | null, limit: number): Response {
    const live = this.live;
    const runningId = live?.record.assistantMessageId;
    // The running answer, as it stands now, is the newest message of the latest page (stored yet or not).
    const running = live && before === null ? JSON.stringify(this.assistantMessage(live, true)) : null;
    // A page before a running answer that is not stored yet starts at the newest stored message.
    const cursor = before === runningId && !this.messages.has(before) ? null : before;
    const newest = running === null ? undefined : { id: runningId!, bytes: utf8Bytes(running) };
    const page = this.messages.page(cursor, HISTORY_PAGE_BYTES, limit, newest);
    if (!page) return jsonError(400, "invalid before: no such message in this session");
    return historyResponse(page, (id) => (id === runningId && running !== null ? running : this.messages.jsonOf(id)));
  }

  /** DELETE /api/chat/:id */
  async remove(sessionId: string): Promise<{ removed: boolean; error?: string }> {
    if (this.live) return { removed: false, error: "a run is active in this session; stop it first" };
    await this.ctx.storage.deleteAlarm();
    this.messages.clear();
    this.runs.clear();
    this.runLog.compactAllBut(null);
    this.ctx.storage.sql.exec("DELETE FROM meta");
    await this.env.INDEX.getByName("global").remove(sessionId);
    return { removed: true };
  }

  /** The host refused a start (at its max runs, duplicate run id, ...); only the run's own host counts. */
  async hostRejected(runId: string, error: string, hostId: string): Promise<void> {
    const live = this.live;
    if (live?.record.id !== runId || live.record.hostId !== hostId) return;
    // A chat belongs to the host that ran its first turn; one that refused it did not.
    if (this.getMeta(HOST_CHOSEN_BY_RUN_KEY) === runId) this.setMeta(CHAT_HOST_KEY, "");
    await this.endRun(live, { error: `The agent host refused the run: ${error}` });
  }

  /**
   * POST /api/chat/:id/host: from now on the chat's turns run on `hostId`. The agent there has no memory
   * of the chat, so the chat gets a visible note saying so.
   */
  async moveToHost(hostId: string): Promise<Response> {
    if (this.live) return jsonError(409, "a run is active in this session; stop it first");
    const from = this.chatHost();
    if (from === null) return jsonError(409, "this chat has not run on an agent host yet: its first message chooses one");
    if (from === hostId) return Response.json({ hostId, moved: false });
    const connected = await this.hub()
      .isConnected(hostId)
      .catch(() => false);
    if (!connected) return jsonError(503, hostOfflineError(hostId));
    this.setMeta(CHAT_HOST_KEY, hostId);
    this.messages.insertIfAbsent(hostMoveNote(from, hostId));
    await this.updateIndex(this.runs.latest()?.status ?? "completed").catch((error: unknown) => console.error("index update failed", error));
    return Response.json({ hostId, moved: true });
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const live = this.live;
    if (live && live.deadline !== null && live.deadline <= now) {
      await this.endRun(
        live,
        live.record.abortRequested
          ? { aborted: true }
          : { error: `The agent host disconnected and did not come back within ${Math.round(this.settings.hostGraceMs / 1000)} s.` },
      );
    }
    const run = this.runs.latest();
    if (run && run.status !== "running" && run.endedAt !== null && run.endedAt + this.settings.runGraceMs <= now) {
      this.runLog.compact(run.id);
    }
    await this.scheduleAlarm();
  }

  // ---- the host's run socket ----

  private acceptRunSocket(runId: string, hostId: string, runSecret: string): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    const live = this.live;
    const run = live?.record.id === runId ? live.record : this.runs.latest();
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
      const ended = this.runs.latest();
      // A host whose last ack was lost learns that its exit was stored before it is told to stop.
      if (ended?.id === runId && ended.lastLineSeq !== null) send(server, { type: "ack", seq: ended.lastLineSeq });
      // The hub may still count the run against its host (its runEnded call failed): say it again.
      if (ended?.id === runId) this.ctx.waitUntil(this.hub().runEnded(runId).catch(() => {}));
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
      this.storePending(live);
    } catch (error) {
      void this.failStore(live, error);
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
      const live = this.live;
      if (live?.socket !== socket) return;
      await this.endRun(live, { error: `The relay failed while handling the agent's output (${describe(error)}); the run was stopped.` }).catch(
        (again: unknown) => console.error("ending the run failed", again),
      );
    }
  }

  private async handleRunFrame(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const live = this.live;
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
    const parsed = parseFrame(hostToEdgeRunFrame, data);
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
    const lines = accepted.map((line) => (exceedsLineLimit(line) ? skippedLineMarker("line-too-long", encoder.encode(line).byteLength) : line));
    // Translated off to the side; taken in (sent to browsers) whole, stored with its store window.
    this.adopt(live, live.lineSeq + accepted.length, translateBatch(live.translator, lines));
    this.scheduleStore(live);
    if (accepted.length < fresh.length) {
      await this.endRun(live, { error: `The run exceeded ${MAX_LINES_PER_RUN} agent lines and was stopped.` });
    } else if (live.storedBytes > MAX_RUN_BYTES) {
      await this.endRun(live, { error: `The run's output passed ${MAX_RUN_BYTES} bytes and was stopped.` });
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
    await this.endRun(live, { exit: { code, signal, stderrTail, error }, aborted: live.record.abortRequested }, frame.seq);
  }

  /** Drops the run socket once its host has been silent too long (see SessionSettings.runSilenceMs). */
  private watchRunSocket(live: LiveRun): void {
    if (live.silenceTimer) return;
    // Cleared when the socket goes (onRunSocketGone) or the run ends (endRun).
    live.silenceTimer = setInterval(() => {
      const socket = live.socket;
      if (socket && Date.now() - live.heardAt > this.settings.runSilenceMs) {
        socket.close(4408, "no word from the host");
        this.onRunSocketGone(socket);
      }
    }, Math.min(this.settings.runSilenceMs / 3, 10_000));
  }

  private onRunSocketGone(socket: WebSocket): void {
    const live = this.live;
    if (!live || live.socket !== socket) return;
    live.socket = null;
    if (live.silenceTimer) clearInterval(live.silenceTimer);
    live.silenceTimer = null;
    // Wait for the host to come back and resend what was not acknowledged.
    live.deadline = Math.min(live.deadline ?? Infinity, Date.now() + this.settings.hostGraceMs);
    void this.scheduleAlarm();
  }

  // ---- the run's log, its subscribers and its message ----

  /** The run's first events, stored at once: the run is in storage before a host is asked for it. */
  private storeNow(live: LiveRun, lineSeq: number, batch: TranslatedBatch): void {
    this.ctx.storage.transactionSync(() => this.appendPending(live, lineSeq, batch));
    this.adopt(live, lineSeq, batch);
    this.markStored(live);
  }

  /**
   * Takes a translated batch in: it becomes the run's state and its events go to the browsers now. It
   * is stored with the rest of its store window (storePending); the host is acknowledged then.
   */
  private adopt(live: LiveRun, lineSeq: number, batch: TranslatedBatch): void {
    const firstSeq = live.eventSeq + 1;
    live.translator = batch.translator;
    live.lineSeq = lineSeq;
    live.eventSeq += batch.jsons.length;
    for (const json of batch.jsons) {
      const bytes = utf8Bytes(json);
      live.storedBytes += bytes;
      live.pendingBytes += bytes;
      live.pending.push(json);
    }
    for (const chunk of batch.chunks) live.accumulator.apply(chunk);
    if (batch.jsons.length > 0) this.broadcastEvents(live.record.id, firstSeq, batch.jsons);
  }

  /**
   * The pending events (and `batch`'s, which follow them) as rows, with the translator's snapshot. With
   * `dropPending` (a failed end whose window cannot be stored) only `batch`, numbered after the window.
   */
  private appendPending(live: LiveRun, lineSeq: number, batch?: TranslatedBatch, dropPending = false): void {
    const translator = batch?.translator ?? live.translator;
    const state = JSON.stringify(translator.snapshot());
    if (dropPending) {
      this.runLog.append(live.record.id, lineSeq, live.eventSeq + 1, batch?.jsons ?? [], state);
      return;
    }
    const jsons = batch && batch.jsons.length > 0 ? [...live.pending, ...batch.jsons] : live.pending;
    this.runLog.append(live.record.id, lineSeq, live.storedEventSeq + 1, jsons, state);
  }

  private markStored(live: LiveRun): void {
    if (live.storeTimer) clearTimeout(live.storeTimer);
    live.storeTimer = null;
    live.storedLineSeq = live.lineSeq;
    live.storedEventSeq = live.eventSeq;
    live.pending = [];
    live.pendingBytes = 0;
  }

  /** Stores the window at its end, or at once when a row's worth of events is waiting. */
  private scheduleStore(live: LiveRun): void {
    if (live.pendingBytes >= MAX_EVENT_ROW_BYTES) this.storeAndAck(live);
    else
      live.storeTimer ??= setTimeout(() => {
        live.storeTimer = null;
        this.storeAndAck(live);
      }, STORE_WINDOW_MS);
    this.scheduleMaterialize(live);
  }

  /**
   * What was taken in and not stored yet, in one transaction (with the running answer when
   * `withMessage`). Returns whether there was anything to store.
   */
  private storePending(live: LiveRun, withMessage = false): boolean {
    const rows = live.lineSeq > live.storedLineSeq || live.pending.length > 0;
    if (!rows && !withMessage) return false;
    this.ctx.storage.transactionSync(() => {
      if (rows) this.appendPending(live, live.lineSeq);
      // The message holds exactly the stored events: never ahead of what a restart rebuilds.
      if (withMessage) this.messages.upsert(this.assistantMessage(live, true));
    });
    this.markStored(live);
    if (withMessage) live.materializedAt = Date.now();
    return rows;
  }

  /** Stores the window, then acknowledges it to the host (the output gate holds the ack until durable). */
  private storeAndAck(live: LiveRun, withMessage = false): void {
    if (this.live !== live) return;
    let stored: boolean;
    try {
      try {
        stored = this.storePending(live, withMessage);
      } catch (error) {
        if (!withMessage) throw error;
        // The running answer is only a progress copy (the end writes it again): the events go without it.
        console.error("writing the running answer failed", error);
        live.materializedAt = Date.now();
        stored = this.storePending(live);
      }
    } catch (error) {
      void this.failStore(live, error);
      return;
    }
    if (stored) this.sendToHost(live, { type: "ack", seq: live.storedLineSeq });
  }

  /** A window that cannot be stored ends the run on what was stored before it (or the alarm retries). */
  private async failStore(live: LiveRun, error: unknown): Promise<void> {
    console.error("storing the run's events failed", error);
    await this.endRun(live, { error: `The relay could not store the agent's output (${describe(error)}); the run was stopped.` }).catch(
      (again: unknown) => console.error("ending the run failed", again),
    );
  }

  /**
   * Persists the end, then drops the live run. If storage refuses the end, a plain error end is tried;
   * if it refuses that too, the run stays live (memory equals storage) and the alarm tries again soon.
   */
  private async endRun(live: LiveRun, end: RunEnd, lineSeq = live.lineSeq): Promise<void> {
    if (this.live !== live) return;
    if (live.materializeTimer) clearTimeout(live.materializeTimer);
    live.materializeTimer = null;
    if (live.storeTimer) clearTimeout(live.storeTimer);
    live.storeTimer = null;
    let status: Exclude<RunStatus, "running">;
    try {
      status = this.storeEnd(live, end, lineSeq);
    } catch (error) {
      console.error("storing the run's end failed", error);
      try {
        status = this.storeFailedEnd(live, end.error ?? `The relay could not store the end of the run (${describe(error)}).`);
      } catch (again) {
        console.error("storing an error end failed too", again);
        // The host must not wait on an ack that cannot come: it is told, and the alarm ends the run.
        if (live.socket) {
          send(live.socket, { type: "error", error: `the relay cannot store this run: ${describe(again)}`, fatal: true });
          live.socket.close(1011, "storage failed");
          live.socket = null;
        }
        if (live.silenceTimer) clearInterval(live.silenceTimer);
        live.silenceTimer = null;
        live.deadline = Date.now() + this.settings.abortGraceMs;
        await this.scheduleAlarm().catch(() => {});
        return;
      }
    }
    this.live = null;
    if (live.silenceTimer) clearInterval(live.silenceTimer);
    // Stored: nobody is left waiting on this run, not the host, not a browser.
    if (live.socket) {
      send(live.socket, { type: "ack", seq: live.storedLineSeq });
      if (end.error) send(live.socket, { type: "error", error: end.error, fatal: true });
      live.socket.close(1000, "run ended");
    }
    this.endStreams();
    await this.scheduleAlarm();
    // The run is over and stored; the hub and the index only mirror it, so their failure ends nothing.
    await this.hub()
      .runEnded(live.record.id)
      .catch((error: unknown) => console.error("hub.runEnded failed", error));
    await this.updateIndex(status).catch((error: unknown) => console.error("index update failed", error));
  }

  /** The translator's end, the message and the run row in one transaction; adopted once it is stored. */
  private storeEnd(live: LiveRun, end: RunEnd, lineSeq: number): Exclude<RunStatus, "running"> {
    const translator = live.translator.copy();
    const batch = batchOf(translator, translator.end(end));
    return this.storeFinalBatch(live, lineSeq, batch, () => this.assistantMessage(live, false, batch.chunks));
  }

  /**
   * An end that needs nothing from the translator or the answer: an error note and a finish. Tried with
   * the answer and the store window's events; then without those events (they cannot be stored: the end
   * is numbered after them, so browsers that saw them read on without a gap, and the answer keeps what
   * they showed); then with the note alone as the message (the log keeps the rest for the replay grace
   * period).
   */
  private storeFailedEnd(live: LiveRun, note: string): Exclude<RunStatus, "running"> {
    const id = `${live.record.id}-relay-error`;
    const chunks: UIChunk[] = [
      { type: "text-start", id },
      { type: "text-delta", id, delta: `[error] ${note}` },
      { type: "text-end", id },
      { type: "finish", finishReason: "error", messageMetadata: { status: "error" } },
    ];
    const batch = batchOf(live.translator, chunks);
    const answer = () => this.assistantMessage(live, false, chunks);
    const bare = (): UIMessage => ({
      id: live.record.assistantMessageId,
      role: "assistant",
      metadata: { runId: live.record.id, status: "error", streaming: false },
      parts: [{ type: "text", text: `[error] ${note}`, state: "done" }],
    });
    const attempts = [
      { message: answer, dropPending: false },
      { message: answer, dropPending: true },
      { message: bare, dropPending: true },
    ];
    for (const [index, { message, dropPending }] of attempts.entries()) {
      try {
        return this.storeFinalBatch(live, live.lineSeq, batch, message, dropPending);
      } catch (error) {
        if (index === attempts.length - 1) throw error;
        console.error("storing the error end failed; trying with less", error);
      }
    }
    throw new Error("unreachable");
  }

  private storeFinalBatch(
    live: LiveRun,
    lineSeq: number,
    batch: TranslatedBatch,
    message: () => UIMessage,
    dropPending = false,
  ): Exclude<RunStatus, "running"> {
    const lastSeq = live.eventSeq + batch.jsons.length;
    const storedLineSeq = dropPending ? live.storedLineSeq : lineSeq;
    const status = this.ctx.storage.transactionSync(() => {
      this.appendPending(live, storedLineSeq, batch, dropPending);
      const final = message();
      this.messages.upsert(final);
      const status = runStatus(final);
      this.runs.finish(live.record.id, status, Date.now(), { lineSeq: storedLineSeq, eventSeq: lastSeq });
      return status;
    });
    // A subscriber still waiting beyond the run's last event holds an id this run never reached (a
    // store window lost with its host too, the double fault; or an id from elsewhere): the end takes
    // those ids now, so it is given the stored run from its start, which a client takes as a whole.
    const stale = [...this.subscribers].filter((subscriber) => subscriber.sentSeq > live.eventSeq);
    for (const subscriber of stale) this.subscribers.delete(subscriber);
    this.adopt(live, lineSeq, { ...batch, chunks: [] });
    this.markStored(live);
    live.storedLineSeq = storedLineSeq;
    for (const subscriber of stale) this.follow(subscriber, live.record.id, live.record.eventBase);
    return status;
  }

  /** The answer so far, or as it will be once `pending` chunks (not yet adopted) are applied to a copy. */
  private assistantMessage(live: LiveRun, streaming: boolean, pending: UIChunk[] = []): UIMessage {
    const message = pending.length === 0 ? live.accumulator.message() : live.accumulator.messageWith(pending);
    // A streaming snapshot says which event it includes, so a page loaded with it resumes after that event.
    const resume: ResumePoint | undefined = streaming ? { eventId: live.eventSeq, openPartIds: live.accumulator.openPartIds() } : undefined;
    return { ...message, metadata: { ...(message.metadata as object | undefined), streaming, ...(resume && { resume }) } };
  }

  /** Writes the growing assistant message (with the pending events) at most every 2 s, and at the end in endRun. */
  private scheduleMaterialize(live: LiveRun): void {
    if (live.materializeTimer || this.live !== live) return;
    const due = live.materializedAt + MATERIALIZE_INTERVAL_MS - Date.now();
    live.materializeTimer = setTimeout(
      () => {
        live.materializeTimer = null;
        this.storeAndAck(live, true);
      },
      Math.max(0, due),
    );
  }

  /** Starts a replay in the background; a failure ends that subscriber's stream (its browser resumes). */
  private follow(subscriber: Subscriber, runId: string, afterSeq: number): void {
    this.replayThenFollow(subscriber, runId, afterSeq).catch((error: unknown) => {
      console.error("replay failed", error);
      subscriber.close();
    });
  }

  /** Sends the stored events after `afterSeq` a page at a time, then joins the live set (or ends). */
  private async replayThenFollow(subscriber: Subscriber, runId: string, afterSeq: number): Promise<void> {
    subscriber.sentSeq = afterSeq;
    let reread = false;
    for (;;) {
      const readSomething = await subscriber.catchUp(this.runLog.pages(runId, subscriber.sentSeq));
      if (!subscriber.isOpen) return;
      if (readSomething) {
        reread = false;
        continue; // more may have been stored while we waited for the reader
      }
      const live = this.live;
      if (live?.record.id !== runId) {
        subscriber.writeRaw(DONE_BYTES);
        subscriber.close();
        return;
      }
      if (live.eventSeq > subscriber.sentSeq) {
        // Storage has all it holds after sentSeq; the rest is the store window, in memory.
        if (subscriber.sentSeq < live.storedEventSeq) {
          // Stored while this replay awaited: read again, once; storage that still has nothing is a bug,
          // and a replay never spins on it.
          if (reread) throw new Error(`replay of ${runId} stuck at ${subscriber.sentSeq}, stored up to ${live.storedEventSeq}`);
          reread = true;
          continue;
        }
        const pending = live.pending.slice(subscriber.sentSeq - live.storedEventSeq);
        subscriber.writeEvents(encoder.encode(encodeEvents(subscriber.sentSeq + 1, pending)), live.eventSeq);
      }
      // Caught up with the running run (or waiting for the events a restart is re-translating): from
      // here on it gets each batch as it is taken in.
      this.subscribers.add(subscriber);
      this.startKeepalive();
      return;
    }
  }

  /** Writes one batch to every live subscriber; one that has fallen behind catches up from storage. */
  private broadcastEvents(runId: string, firstSeq: number, jsons: string[]): void {
    const lastSeq = firstSeq + jsons.length - 1;
    let bytes: Uint8Array | null = null;
    for (const subscriber of this.subscribers) {
      // Waiting for events it saw before a restart: it gets only what follows them.
      if (subscriber.sentSeq >= lastSeq) continue;
      const out =
        subscriber.sentSeq >= firstSeq
          ? encoder.encode(encodeEvents(subscriber.sentSeq + 1, jsons.slice(subscriber.sentSeq + 1 - firstSeq)))
          : (bytes ??= encoder.encode(encodeEvents(firstSeq, jsons)));
      if (!subscriber.offerEvents(out, lastSeq)) {
        this.subscribers.delete(subscriber);
        this.follow(subscriber, runId, subscriber.sentSeq);
      }
    }
  }

  /** Ends every live stream with [DONE]: the run they follow is over. */
  private endStreams(): void {
    for (const subscriber of this.subscribers) {
      subscriber.writeRaw(DONE_BYTES);
      subscriber.close();
    }
    this.subscribers.clear();
    this.stopKeepalive();
  }

  private dropSubscriber(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stopKeepalive();
  }

  private startKeepalive(): void {
    this.keepaliveTimer ??= setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.writeRaw(KEEPALIVE_BYTES);
    }, this.settings.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  private sendToHost(live: LiveRun, frame: EdgeToHostRunFrame): void {
    if (live.socket) send(live.socket, frame);
  }

  // ---- alarms, the hub, the index ----

  /** One alarm serves both deadlines: the live run's host deadline and the ended run's compaction. */
  private async scheduleAlarm(): Promise<void> {
    const run = this.runs.latest();
    const deadlines: number[] = [];
    if (this.live?.deadline != null) deadlines.push(this.live.deadline);
    if (run && run.status !== "running" && run.endedAt !== null && this.runLog.tail(run.id).eventSeq > 0) {
      deadlines.push(run.endedAt + this.settings.runGraceMs);
    }
    if (deadlines.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...deadlines));
  }

  private hub() {
    return this.env.HUB.getByName("global");
  }

  private async updateIndex(status: RunStatus): Promise<void> {
    const sessionId = this.sessionId();
    if (!sessionId) return;
    await this.env.INDEX.getByName("global").upsert({
      id: sessionId,
      title: titleFrom(this.messages.firstUserText()),
      updatedAt: Date.now(),
      messageCount: this.messages.count() + (this.live && !this.messages.has(this.live.record.assistantMessageId) ? 1 : 0),
      status,
      hostId: this.chatHost(),
    });
  }

  /** The host this chat's turns go to; chats from before hosts were kept per chat: their last run's. */
  private chatHost(): string | null {
    const kept = this.getMeta(CHAT_HOST_KEY);
    return kept === null ? (this.runs.latest()?.hostId ?? null) : kept || null;
  }

  private sessionId(): string {
    return this.getMeta("sessionId") ?? "";
  }

  private getMeta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}

/** A batch that needs no translation (a run's start and end, an error end): its JSON and snapshot. */
function batchOf(translator: RunTranslator, chunks: UIChunk[]): TranslatedBatch {
  return { translator, chunks, jsons: chunks.map((chunk) => JSON.stringify(chunk)) };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function send(socket: WebSocket, frame: EdgeToHostRunFrame): void {
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

/** A UTF-8 byte count is only needed for lines that might be over the limit (3 bytes per UTF-16 unit at most). */
function exceedsLineLimit(line: string): boolean {
  return line.length * 3 > MAX_LINE_BYTES && encoder.encode(line).byteLength > MAX_LINE_BYTES;
}


/** How the run ended, as its finish chunk told the browser (the translator decides, once). */
function runStatus(message: UIMessage): Exclude<RunStatus, "running"> {
  const reported = (message.metadata as { status?: string } | undefined)?.status;
  return reported === "completed" || reported === "aborted" ? reported : "error";
}

function titleFrom(text: string | null): string {
  const line = (text ?? "").trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || "New chat";
}

/** Compares a presented run secret with the stored one in constant time. */
function sameSecret(stored: string | null, presented: string): boolean {
  if (stored === null) return false;
  const a = encoder.encode(stored);
  const b = encoder.encode(presented);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}
