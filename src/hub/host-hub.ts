// The host hub: one object for the whole relay that knows which agent hosts are connected and which
// host runs which run. It carries control only (hello, start, abort, refusals); agent lines go straight
// from a host to the session's own object, so the hub never caps throughput.
//
// Host control sockets use the WebSocket Hibernation API: an idle host costs nothing, and pings are
// answered by the runtime without waking the object.
//
// Hosts are identities: a hello can take over a live host's id only with that host's instance key, a
// run-rejected counts only from the host the run was given to, and nothing from a hello is stored but
// the connection's own attachment (id, key, limit).
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_HOST_ID_IN_USE,
  CLOSE_HOST_ID_TAKEN,
  hostToEdgeControlFrame,
  newSecret,
  parseFrame,
  PING_FRAME,
  PONG_FRAME,
  type EdgeToHostControlFrame,
  type HelloFrame,
  type RunRejectedFrame,
  type StartFrame,
} from "../../protocol/host.ts";
import { HOST_SILENCE_MS, hostPingIntervalFor } from "../../protocol/limits.ts";
import { hostOfflineError, NO_HOST_CONNECTED } from "./host-errors.ts";
import { positive } from "../session/settings.ts";
import type { HostSummary } from "../../protocol/host-list.ts";

interface HostAttachment {
  hostId: string;
  instanceKey: string;
  maxRuns: number;
  /** The agent kind its hello named, if any. */
  agent: string | null;
  /** When this connection said hello (epoch ms). */
  connectedAt: number;
  /** When the host last sent a frame of any kind; its pings are read from the runtime's timestamp. */
  heardAt: number;
}

type ConnectedHost = { socket: WebSocket; attachment: HostAttachment };

export type StartResult = { ok: true; hostId: string; runSecret: string } | { ok: false; error: string };

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
    const attachment = socket.deserializeAttachment() as HostAttachment | null;
    if (frame.type === "hello") {
      this.hello(socket, attachment, frame);
      return;
    }
    if (attachment === null) {
      socket.close(4400, "say hello first");
      return;
    }
    // Any frame from a host is a sign of life, not only its pings (which the runtime answers).
    socket.serializeAttachment({ ...attachment, heardAt: Date.now() } satisfies HostAttachment);
    await this.runRejected(attachment.hostId, frame);
  }

  private hello(socket: WebSocket, attachment: HostAttachment | null, frame: HelloFrame): void {
    if (attachment !== null) {
      socket.close(4400, "hello was already said on this connection");
      return;
    }
    const others = this.hosts().filter((other) => other.attachment.hostId === frame.hostId && other.socket !== socket);
    if (others.some((other) => other.attachment.instanceKey !== frame.instanceKey)) {
      // A live host has this id and this connection cannot prove it is that host: the first one stays.
      socket.close(CLOSE_HOST_ID_IN_USE, "another live agent host is connected with this host id");
      return;
    }
    // The same host process, back on a new connection: its old one is dead to it.
    for (const other of others) other.socket.close(CLOSE_HOST_ID_TAKEN, "replaced by a newer connection of this host");
    const now = Date.now();
    socket.serializeAttachment({
      hostId: frame.hostId,
      instanceKey: frame.instanceKey,
      maxRuns: frame.maxRuns,
      agent: frame.agent ?? null,
      connectedAt: now,
      heardAt: now,
    } satisfies HostAttachment);
    send(socket, { type: "welcome", hostId: frame.hostId, pingIntervalMs: hostPingIntervalFor(this.silenceMs()) });
  }

  /** The host would not start a run (at its limit, duplicate id, ...); only the run's own host may say so. */
  private async runRejected(hostId: string, frame: RunRejectedFrame): Promise<void> {
    const row = this.ctx.storage.sql
      .exec<{ session_id: string; host_id: string }>("SELECT session_id, host_id FROM assignments WHERE run_id = ?", frame.runId)
      .toArray()[0];
    if (!row || row.host_id !== hostId || row.session_id !== frame.sessionId) return;
    this.ctx.storage.sql.exec("DELETE FROM assignments WHERE run_id = ?", frame.runId);
    await this.env.SESSION.getByName(row.session_id).hostRejected(frame.runId, frame.error, hostId);
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /**
   * Sends a start to `hostId`, the chat's own host (or the one a new chat asked for), or, when the chat
   * has none yet, to the least busy connected host. A chat's host that is not connected gets no stand-in:
   * the agent's memory of the chat is on that machine. Its refusal, if any, comes back as run-rejected.
   */
  async startRun(start: Omit<StartFrame, "type" | "runSecret">, hostId: string | null = null): Promise<StartResult> {
    const hosts = this.hosts();
    const chosen = hostId === null ? this.leastBusy(hosts) : hosts.find((host) => host.attachment.hostId === hostId);
    if (!chosen) return { ok: false, error: hostId === null ? NO_HOST_CONNECTED : hostOfflineError(hostId) };
    this.assign(start.runId, start.sessionId, chosen.attachment.hostId);
    // Only the host this start reaches learns the secret; its run socket must present it.
    const runSecret = newSecret();
    send(chosen.socket, { type: "start", ...start, runSecret });
    return { ok: true, hostId: chosen.attachment.hostId, runSecret };
  }

  private leastBusy(hosts: ConnectedHost[]): ConnectedHost | undefined {
    if (hosts.length === 0) return undefined;
    const load = this.loadByHost();
    return hosts.reduce((best, host) =>
      (load.get(host.attachment.hostId) ?? 0) / host.attachment.maxRuns < (load.get(best.attachment.hostId) ?? 0) / best.attachment.maxRuns
        ? host
        : best,
    );
  }

  /** GET /api/hosts: the connected hosts, by id. */
  async listHosts(): Promise<HostSummary[]> {
    const load = this.loadByHost();
    return this.hosts()
      .map(({ attachment }) => ({
        id: attachment.hostId,
        agent: attachment.agent ?? null,
        runsInUse: load.get(attachment.hostId) ?? 0,
        maxRuns: attachment.maxRuns,
        connectedSince: attachment.connectedAt ?? attachment.heardAt,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Whether a host with this id is connected now. */
  async isConnected(hostId: string): Promise<boolean> {
    return this.hosts().some((host) => host.attachment.hostId === hostId);
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
  private hosts(): ConnectedHost[] {
    const now = Date.now();
    const silenceMs = this.silenceMs();
    const hosts: ConnectedHost[] = [];
    for (const socket of this.ctx.getWebSockets()) {
      const attachment = socket.deserializeAttachment() as HostAttachment | null;
      if (attachment === null) continue;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime() ?? 0;
      if (now - Math.max(attachment.heardAt, lastPing) > silenceMs) {
        socket.close(4408, "nothing from this host for too long");
        continue;
      }
      hosts.push({ socket, attachment });
    }
    return hosts;
  }

  /** HOST_SILENCE_MS, or the `HOST_SILENCE_MS` var (tests scale it down; the welcome tells hosts). */
  private silenceMs(): number {
    return positive(this.env.HOST_SILENCE_MS, HOST_SILENCE_MS);
  }

  private loadByHost(): Map<string, number> {
    const rows = this.ctx.storage.sql
      .exec<{ host_id: string; n: number }>("SELECT host_id, COUNT(*) AS n FROM assignments GROUP BY host_id")
      .toArray();
    return new Map(rows.map((row) => [row.host_id, row.n]));
  }

  private assign(runId: string, sessionId: string, hostId: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO assignments (run_id, session_id, host_id) VALUES (?, ?, ?)",
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
