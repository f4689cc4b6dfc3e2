// The host hub: one object for the whole relay that knows which agent hosts are connected and which
// host runs which run. It carries control only (hello, start, abort, refusals); agent lines go straight
// from a host to the session's own object, so the hub never caps throughput.
//
// Host control sockets use the WebSocket Hibernation API: an idle host costs nothing, and pings are
// answered by the runtime without waking the object.
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_HOST_ID_TAKEN,
  hostToEdgeControlFrame,
  parseFrame,
  PING_FRAME,
  PONG_FRAME,
  type EdgeToHostControlFrame,
  type StartFrame,
} from "../../protocol/host.ts";

interface HostAttachment {
  hostId: string;
  maxRuns: number;
  helloAt: number;
}

/**
 * A host pings its control socket after 30 s without a word from the edge. A socket that has neither
 * said hello nor pinged for this long belongs to a host that vanished without closing it (power cut,
 * lost network): it is closed, and no run is sent to it.
 */
export const HOST_SILENCE_MS = 75_000;

export type StartResult = { ok: true; hostId: string } | { ok: false; error: string };

export class HostHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS assignments (
      run_id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      host_id TEXT NOT NULL
    )`);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** The control socket upgrade (the Worker already checked the host token). */
  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const parsed = typeof data === "string" ? parseFrame(hostToEdgeControlFrame, data) : { ok: false as const, error: "frames must be text" };
    if (!parsed.ok) {
      socket.close(4400, parsed.error.slice(0, 120));
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "hello") {
      for (const other of this.hosts()) {
        if (other.attachment.hostId === frame.hostId && other.socket !== socket) other.socket.close(CLOSE_HOST_ID_TAKEN, "another connection said hello with this host id");
      }
      socket.serializeAttachment({ hostId: frame.hostId, maxRuns: frame.maxRuns, helloAt: Date.now() } satisfies HostAttachment);
      for (const run of frame.runs) this.assign(run.runId, run.sessionId, frame.hostId);
      send(socket, { type: "welcome", hostId: frame.hostId });
      return;
    }
    // run-rejected: the host would not start it (at its limit, duplicate id, ...).
    this.ctx.storage.sql.exec("DELETE FROM assignments WHERE run_id = ?", frame.runId);
    await this.env.SESSION.getByName(frame.sessionId).hostRejected(frame.runId, frame.error);
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /** Sends a start to the least busy connected host. Its refusal, if any, comes back as run-rejected. */
  async startRun(start: Omit<StartFrame, "type">): Promise<StartResult> {
    const hosts = this.hosts();
    if (hosts.length === 0) return { ok: false, error: "no agent host is connected" };
    const load = this.loadByHost();
    const chosen = hosts.reduce((best, host) =>
      (load.get(host.attachment.hostId) ?? 0) / host.attachment.maxRuns < (load.get(best.attachment.hostId) ?? 0) / best.attachment.maxRuns
        ? host
        : best,
    );
    this.assign(start.runId, start.sessionId, chosen.attachment.hostId);
    send(chosen.socket, { type: "start", ...start });
    return { ok: true, hostId: chosen.attachment.hostId };
  }

  /** Forwards an abort to the host running the run (the session object also sends it on the run socket). */
  async abortRun(sessionId: string, runId: string): Promise<void> {
    const row = this.ctx.storage.sql
      .exec<{ host_id: string }>("SELECT host_id FROM assignments WHERE run_id = ?", runId)
      .toArray()[0];
    const host = row && this.hosts().find((candidate) => candidate.attachment.hostId === row.host_id);
    if (host) send(host.socket, { type: "abort", sessionId, runId });
  }

  async runEnded(runId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM assignments WHERE run_id = ?", runId);
  }

  async hostsConnected(): Promise<number> {
    return this.hosts().length;
  }

  /** Sockets that said hello and have been heard from lately; silent ones are closed. */
  private hosts(): { socket: WebSocket; attachment: HostAttachment }[] {
    const now = Date.now();
    const hosts: { socket: WebSocket; attachment: HostAttachment }[] = [];
    for (const socket of this.ctx.getWebSockets()) {
      const attachment = socket.deserializeAttachment() as HostAttachment | null;
      if (attachment === null) continue;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime() ?? 0;
      if (now - Math.max(attachment.helloAt, lastPing) > HOST_SILENCE_MS) {
        socket.close(4408, "no ping from this host for too long");
        continue;
      }
      hosts.push({ socket, attachment });
    }
    return hosts;
  }

  private loadByHost(): Map<string, number> {
    const rows = this.ctx.storage.sql
      .exec<{ host_id: string; n: number }>("SELECT host_id, COUNT(*) AS n FROM assignments GROUP BY host_id")
      .toArray();
    return new Map(rows.map((row) => [row.host_id, row.n]));
  }

  private assign(runId: string, sessionId: string, hostId: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO assignments (run_id, session_id, host_id) VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET host_id = excluded.host_id",
      runId,
      sessionId,
      hostId,
    );
  }
}

function send(socket: WebSocket, frame: EdgeToHostControlFrame): void {
  try {
    socket.send(JSON.stringify(frame));
  } catch {
    // closed meanwhile; the host reconnects and says hello again
  }
}
