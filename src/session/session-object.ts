// The session Durable Object: one per chat session. A thin shell that wires I/O (the host's run socket,
// run-socket.ts; browsers' SSE streams, stream-fanout.ts; SQLite, store-window.ts and the stores; alarms)
// to the pure translator and accumulator. Here: the RPC surface, a run's start and end, the hub and index.
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
import { RUN_SECRET_HEADER, type EdgeToHostRunFrame } from "../../protocol/host.ts";
import { MAX_SESSION_BYTES } from "../../protocol/limits.ts";
import type { RunEnd } from "../translate/translator.ts";
import { batchOf } from "../translate/batch.ts";
import { jsonError } from "../http-errors.ts";
import { hostOfflineError } from "../hub/host-errors.ts";
import { chatHostConflictError, hostMoveNote } from "./chat-host.ts";
import { refusalEffect, type HostRefusal } from "./host-refusal.ts";
import { describe } from "../translate/describe-error.ts";
import { assistantMessage, newLiveRun, restoreLiveRun, type LiveRun } from "./live-run.ts";
import { HISTORY_PAGE_BYTES, utf8Bytes } from "./byte-limits.ts";
import { historyResponse } from "./history-response.ts";
import { MessageStore } from "./message-store.ts";
import { RunLog } from "./run-log.ts";
import { RunStore, type RunStatus } from "./run-store.ts";
import { RunEndStore } from "./run-end.ts";
import { RunSocket, send } from "./run-socket.ts";
import { sessionSettings, type SessionSettings } from "./settings.ts";
import { StoreWindow } from "./store-window.ts";
import { StreamFanout } from "./stream-fanout.ts";

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
  private readonly streams: StreamFanout;
  private readonly window: StoreWindow;
  private readonly runSocket: RunSocket;
  private readonly ends: RunEndStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.runLog = new RunLog(sql);
    this.messages = new MessageStore(sql);
    this.runs = new RunStore(sql);
    this.settings = sessionSettings(env);
    const liveRun = () => this.live;
    this.streams = new StreamFanout(this.runLog, liveRun, this.settings.keepaliveMs);
    this.window = new StoreWindow({
      storage: ctx.storage,
      runLog: this.runLog,
      messages: this.messages,
      streams: this.streams,
      liveRun,
      acknowledge: (live) => this.sendToHost(live, { type: "ack", seq: live.storedLineSeq }),
      failStore: (live, error) => this.failStore(live, error),
    });
    this.ends = new RunEndStore({
      storage: ctx.storage,
      messages: this.messages,
      runs: this.runs,
      streams: this.streams,
      window: this.window,
    });
    this.runSocket = new RunSocket({
      settings: this.settings,
      runs: this.runs,
      window: this.window,
      liveRun,
      endRun: (live, end, lineSeq) => this.endRun(live, end, lineSeq),
      failStore: (live, error) => this.failStore(live, error),
      scheduleAlarm: () => this.scheduleAlarm(),
      repeatRunEnded: (runId) => this.ctx.waitUntil(this.hub().runEnded(runId).catch(() => {})),
    });
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
      return this.runSocket.accept(runSocket[1]!, url.searchParams.get("host") ?? "", request.headers.get(RUN_SECRET_HEADER) ?? "");
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
      this.streams.endStreams(); // a resume that joined the run meanwhile must not wait on it forever
    };
    try {
      const translator = live.translator.copy();
      this.runLog.createRun(runId);
      this.window.storeNow(live, 0, batchOf(translator, translator.start()));
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
    if (input.regenerate) this.messages.removeAnswersAfter(input.userMessage.id);
    // A refusal heard before the hub's answer counts now that the run's host is known (with the chat's
    // host undone in the same atomic write that set it, so the index never shows the refusing host).
    if (live.heldRefusal) await this.refused(live, live.heldRefusal);
    if (this.live === live) {
      await this.scheduleAlarm();
      await this.updateIndex("running");
    }
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
    return new Response(this.streams.open(run.id, after), { headers: SSE_HEADERS });
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
    const running = live && before === null ? JSON.stringify(assistantMessage(live, true)) : null;
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
    if (live?.record.id === runId) await this.refused(live, { hostId, error });
  }

  /** Ends the run with a refusal from its host, holds one heard before its host was recorded. */
  private async refused(live: LiveRun, refusal: HostRefusal): Promise<void> {
    const effect = refusalEffect(live.record.hostId, refusal);
    if (effect === "hold") live.heldRefusal = refusal;
    if (effect !== "end") return;
    // A chat belongs to the host that ran its first turn; one that refused it did not.
    if (this.getMeta(HOST_CHOSEN_BY_RUN_KEY) === live.record.id) this.setMeta(CHAT_HOST_KEY, "");
    await this.endRun(live, { error: `The agent host refused the run: ${refusal.error}` });
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

  // ---- the run's end ----

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
      status = this.ends.storeEnd(live, end, lineSeq);
    } catch (error) {
      console.error("storing the run's end failed", error);
      try {
        status = this.ends.storeFailedEnd(live, end.error ?? `The relay could not store the end of the run (${describe(error)}).`);
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
    this.streams.endStreams();
    await this.scheduleAlarm();
    // The run is over and stored; the hub and the index only mirror it, so their failure ends nothing.
    await this.hub()
      .runEnded(live.record.id)
      .catch((error: unknown) => console.error("hub.runEnded failed", error));
    await this.updateIndex(status).catch((error: unknown) => console.error("index update failed", error));
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

function titleFrom(text: string | null): string {
  const line = (text ?? "").trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || "New chat";
}
