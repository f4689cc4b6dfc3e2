// A stand-in for an openclaw gateway on 127.0.0.1, speaking its WebSocket protocol as openclaw 2026.9.6
// does (docs/gateway/protocol/*.md in the openclaw package): `connect.challenge` first, then `connect`
// checked like the real one (protocol range, shared or device token, the Ed25519 signature over the v3
// payload, the device id as the key's SHA-256), `hello-ok` with a device token; `chat.send` answers
// `{runId: idempotencyKey, status: "started"}` and plays `agent` events made from the real captures,
// then a `chat` final; `chat.abort` ends the turn with the aborted lifecycle and `chat` state. Exec
// approvals as openclaw 2026.9.6 sends them (agent-host/README.md): `exec.approval.requested`, answered
// by `exec.approval.resolve {id, decision}` or expired, then `exec.approval.resolved` to every client;
// `exec.approval.list` lists the pending ones.
import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { waitUntil } from "./fixture-agent.ts";
import { portOutsideEphemeralRange } from "./reserved-port.ts";

export const CAPTURES = new URL("../../../test/fixtures/openclaw-events/", import.meta.url);

/** The capture's agent event payloads (each line without its `event` key). */
export function capturePayloads(name: string): Record<string, unknown>[] {
  return readFileSync(new URL(name, CAPTURES), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const { event: _event, ...payload } = JSON.parse(line) as Record<string, unknown>;
      return payload;
    });
}

export interface ConnectRecord {
  params: Record<string, unknown>;
  /** Which credential it used: the shared token, a device token this gateway issued, or none. */
  auth: "shared" | "device" | "none";
}

export interface Turn {
  runId: string;
  sessionKey: string;
  message: string;
  aborted: boolean;
  /** Send one agent event for this turn (runId and a lowercased session key filled in, as the gateway does). */
  agent(payload: Record<string, unknown>): void;
  chat(state: "final" | "aborted" | "error", extra?: Record<string, unknown>): void;
  event(event: string, payload: Record<string, unknown>): void;
  /**
   * Ask to approve a command of this turn, as openclaw's exec tool does; resolves with the decision
   * (`allow-once`, `deny`), or `null` when nobody answered within `expiresInMs` (openclaw then denies).
   */
  requestApproval(request: { toolCallId: string; command: string; expiresInMs?: number }): Promise<string | null>;
}

interface PendingApproval {
  payload: Record<string, unknown>;
  decide: (decision: string | null, resolvedBy: string | null) => void;
}

/** What the gateway does after accepting a chat.send; the default plays a capture and ends the turn. */
export type TurnScript = (turn: Turn) => Promise<void> | void;

export function playCapture(name: string, paceMs = 2): TurnScript {
  return async (turn) => {
    for (const payload of capturePayloads(name)) {
      if (turn.aborted) return;
      turn.agent(payload);
      await new Promise((resolve) => setTimeout(resolve, paceMs));
    }
    turn.chat("final");
  };
}

export class FakeGateway {
  readonly connects: ConnectRecord[] = [];
  readonly refusedConnects: string[] = [];
  readonly requests: { method: string; params: Record<string, unknown> }[] = [];
  readonly turns: Turn[] = [];
  readonly pendingApprovals = new Map<string, PendingApproval>();
  /** Events to every connected client (approvals go to all operator clients, not only the turn's). */
  readonly #broadcasts = new Set<(name: string, payload: unknown) => void>();
  script: TurnScript = playCapture("final.jsonl");
  /** The wire version this gateway speaks (openclaw 2026.9.6: 4). */
  protocol = 4;
  readonly sharedToken: string;
  readonly #deviceTokens = new Map<string, string>();
  readonly #sockets = new Set<WebSocket>();
  #server: Server;
  #wss = new WebSocketServer({ noServer: true });
  #port = 0;

  private constructor(server: Server, sharedToken: string) {
    this.#server = server;
    this.sharedToken = sharedToken;
  }

  /** On `port`, by default one outside the ephemeral range: a killed gateway's port stays its own until `restart`. */
  static async start(sharedToken = "gateway-shared-token", port?: number): Promise<FakeGateway> {
    const gateway = new FakeGateway(createServer(), sharedToken);
    await gateway.#listen(port ?? (await portOutsideEphemeralRange()));
    return gateway;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Requests made with `method`, in order. */
  calls(method: string): Record<string, unknown>[] {
    return this.requests.filter((request) => request.method === method).map((request) => request.params);
  }

  waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    return waitUntil(predicate, what, timeoutMs);
  }

  /** Gone like a killed process: every socket cut, nothing listening, until `restart`. */
  async kill(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#sockets.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
  }

  /** Back on the same port, with the same pairing records (a restarted gateway keeps its state). */
  async restart(): Promise<void> {
    this.#server = createServer();
    this.#wss = new WebSocketServer({ noServer: true });
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    await this.kill().catch(() => {});
  }

  #listen(port: number): Promise<void> {
    this.#server.on("upgrade", (request, socket, head) => {
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
    return new Promise((resolve) => {
      this.#server.listen(port, "127.0.0.1", () => {
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on("close", () => this.#sockets.delete(ws));
    let frameSeq = 0;
    const send = (frame: Record<string, unknown>) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const event = (name: string, payload: unknown) => send({ type: "event", event: name, payload, seq: ++frameSeq });
    const nonce = randomUUID();
    const challengeTs = Date.now();
    let helloDone = false;
    event("connect.challenge", { nonce, ts: challengeTs });
    ws.on("close", () => this.#broadcasts.delete(event));

    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id: string; method: string; params: Record<string, unknown> };
      if (frame.type !== "req") return;
      const respond = (ok: boolean, payload?: unknown, error?: Record<string, unknown>) =>
        send({ type: "res", id: frame.id, ok, ...(ok ? { payload } : { error }) });
      if (!helloDone) {
        if (frame.method !== "connect") {
          respond(false, undefined, { code: "INVALID_REQUEST", message: "connect required" });
          ws.close(1008, "connect required");
          return;
        }
        const refusal = this.#checkConnect(frame.params, nonce, challengeTs);
        if (refusal) {
          this.refusedConnects.push(refusal.message as string);
          respond(false, undefined, refusal);
          ws.close(refusal.message === "protocol mismatch" ? 1002 : 1008, String(refusal.message));
          return;
        }
        helloDone = true;
        this.#broadcasts.add(event);
        const device = frame.params.device as { id: string };
        const deviceToken = this.#deviceTokens.get(device.id) ?? `device-token-${randomUUID()}`;
        this.#deviceTokens.set(device.id, deviceToken);
        respond(true, {
          type: "hello-ok",
          protocol: this.protocol,
          server: { version: "2026.9.6-fake", connId: randomUUID() },
          features: { methods: ["chat.send", "chat.abort", "exec.approval.resolve", "set-heartbeats"], events: ["agent", "chat"] },
          snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 1 },
          auth: { role: "operator", scopes: frame.params.scopes, deviceToken },
          policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 15000 },
        });
        return;
      }
      this.requests.push({ method: frame.method, params: frame.params });
      if (frame.method === "chat.send") this.#chatSend(frame.params, respond, event);
      else if (frame.method === "chat.abort") this.#chatAbort(frame.params, respond);
      else if (frame.method === "exec.approval.list") respond(true, [...this.pendingApprovals.values()].map((pending) => pending.payload));
      else if (frame.method === "exec.approval.resolve") this.#resolveApproval(frame.params, respond);
      else respond(true, { ok: true });
    });
  }

  /** The real gateway's checks, in its order; undefined when the connect is accepted. */
  #checkConnect(params: Record<string, unknown>, nonce: string, challengeTs: number): Record<string, unknown> | undefined {
    const { minProtocol, maxProtocol } = params as { minProtocol: number; maxProtocol: number };
    if (!(maxProtocol >= this.protocol && minProtocol <= this.protocol)) {
      return {
        code: "INVALID_REQUEST",
        message: "protocol mismatch",
        details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: minProtocol, clientMaxProtocol: maxProtocol, expectedProtocol: this.protocol },
      };
    }
    const client = params.client as { id: string; mode: string; platform?: string; deviceFamily?: string };
    const device = params.device as { id: string; publicKey: string; signature: string; signedAt: number; nonce: string } | undefined;
    const auth = (params.auth ?? {}) as { token?: string };
    const scopes = (params.scopes ?? []) as string[];
    if (!device) return { code: "INVALID_REQUEST", message: "device identity required" };
    const raw = Buffer.from(device.publicKey, "base64url");
    if (createHash("sha256").update(raw).digest("hex") !== device.id) {
      return { code: "INVALID_REQUEST", message: "device identity mismatch", details: { code: "DEVICE_AUTH_DEVICE_ID_MISMATCH" } };
    }
    if (device.nonce !== nonce) return { code: "INVALID_REQUEST", message: "device nonce mismatch" };
    if (device.signedAt !== challengeTs) return { code: "INVALID_REQUEST", message: "device signature expired" };
    const lower = (value?: string) => (value ?? "").trim().toLowerCase();
    const payload = ["v3", device.id, client.id, client.mode, params.role ?? "operator", scopes.join(","), String(device.signedAt), auth.token ?? "", nonce, lower(client.platform), lower(client.deviceFamily)].join("|");
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: device.publicKey }, format: "jwk" });
    if (!verify(null, Buffer.from(payload), key, Buffer.from(device.signature, "base64url"))) {
      return { code: "INVALID_REQUEST", message: "device signature invalid", details: { code: "DEVICE_AUTH_SIGNATURE_INVALID" } };
    }
    const kind = auth.token === this.sharedToken ? "shared" : auth.token && auth.token === this.#deviceTokens.get(device.id) ? "device" : "none";
    if (kind === "none") return { code: "INVALID_REQUEST", message: "unauthorized: gateway token mismatch", details: { code: "AUTH_TOKEN_MISMATCH" } };
    this.connects.push({ params, auth: kind });
    return undefined;
  }

  #chatSend(
    params: Record<string, unknown>,
    respond: (ok: boolean, payload?: unknown) => void,
    event: (name: string, payload: unknown) => void,
  ): void {
    const runId = String(params.idempotencyKey);
    // The gateway lowercases session keys in what it sends back.
    const sessionKey = String(params.sessionKey).toLowerCase();
    let agentSeq = 0;
    let chatSeq = 0;
    const turn: Turn = {
      runId,
      sessionKey,
      message: String(params.message),
      aborted: false,
      agent: (payload) => event("agent", { ...payload, runId, sessionKey, seq: ++agentSeq, ts: Date.now() }),
      chat: (state, extra = {}) => event("chat", { runId, sessionKey, seq: ++chatSeq, state, ...extra }),
      event,
      requestApproval: ({ toolCallId, command, expiresInMs = 30 * 60_000 }) =>
        new Promise((resolve) => {
          const id = randomUUID();
          const createdAtMs = Date.now();
          const request = { command, cwd: "/work", host: "gateway", sessionKey, runId, toolCallId, allowedDecisions: ["allow-once", "deny"] };
          const payload = { id, request, createdAtMs, expiresAtMs: createdAtMs + expiresInMs };
          const expiry = setTimeout(() => decide(null, null), expiresInMs);
          const decide = (decision: string | null, resolvedBy: string | null) => {
            clearTimeout(expiry);
            this.pendingApprovals.delete(id);
            this.#broadcast("exec.approval.resolved", { id, decision: decision ?? "deny", resolvedBy, ts: Date.now(), request });
            resolve(decision);
          };
          this.pendingApprovals.set(id, { payload, decide });
          this.#broadcast("exec.approval.requested", payload);
        }),
    };
    this.turns.push(turn);
    respond(true, { runId, status: "started" });
    void Promise.resolve().then(() => this.script(turn));
  }

  #broadcast(name: string, payload: unknown): void {
    for (const send of this.#broadcasts) send(name, payload);
  }

  #resolveApproval(params: Record<string, unknown>, respond: (ok: boolean, payload?: unknown, error?: Record<string, unknown>) => void): void {
    const pending = this.pendingApprovals.get(String(params.id));
    if (!pending) {
      respond(false, undefined, { code: "INVALID_REQUEST", message: "approval expired or not found" });
      return;
    }
    if (params.decision !== "allow-once" && params.decision !== "deny" && params.decision !== "allow-always") {
      respond(false, undefined, { code: "INVALID_REQUEST", message: "invalid decision" });
      return;
    }
    respond(true, { ok: true });
    pending.decide(params.decision, "agent-relay host");
  }

  #chatAbort(params: Record<string, unknown>, respond: (ok: boolean, payload?: unknown) => void): void {
    const turn = this.turns.find((candidate) => candidate.runId === params.runId && !candidate.aborted);
    respond(true, { ok: true, aborted: Boolean(turn) });
    if (!turn) return;
    turn.aborted = true;
    turn.agent({ stream: "lifecycle", data: { phase: "error", aborted: true, stopReason: "aborted" } });
    turn.chat("aborted", { stopReason: "aborted" });
  }
}
