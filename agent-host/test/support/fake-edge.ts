// A stand-in for the edge, speaking the host protocol on 127.0.0.1: checks the Bearer token (401 JSON
// before the upgrade, as the Worker does), records hellos and refusals, sends start/abort, stores run
// lines the way the session object does, acknowledges them, and cuts connections when told to.
//
// It also checks the host: every frame must start exactly one after what was stored. A real edge
// drops duplicates by sequence number; this one records a violation instead, so a test can assert the
// host never made it need to. A run socket must present the secret of the start frame sent for its run
// (as the real edge requires); one that does not is refused with a fatal error and recorded.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import {
  CONTROL_SOCKET_PATH,
  hostToEdgeControlFrame,
  PING_FRAME,
  PONG_FRAME,
  RUN_SECRET_HEADER,
  parseRunFrame,
  type EdgeToHostControlFrame,
  type EdgeToHostRunFrame,
  type ExitFrame,
  type HelloFrame,
  type HostToEdgeRunFrame,
  type RunRejectedFrame,
} from "../../../protocol/host.ts";
import { HOST_PING_INTERVAL_MS } from "../../../protocol/limits.ts";
import { waitUntil } from "./fixture-agent.ts";

/** What the edge does with a frame it receives on a run socket. */
export type FrameDecision =
  /** store it and acknowledge (the normal case) */
  | "ack"
  /** store it, then cut the socket before the ack leaves (the host must not resend it) */
  | "store-then-drop"
  /** cut the socket: the frame is lost (the host must resend it) */
  | "drop"
  /** store it but hold the ack back until `releaseAcks` */
  | "hold";

export interface FakeRun {
  sessionId: string;
  runId: string;
  /** Lines stored, in sequence order: lines[i] has seq i + 1. */
  lines: string[];
  exit: ExitFrame | undefined;
  /** The resume point sent on each connection, in order. */
  resumePoints: number[];
  /** firstSeq of the first frame received on each connection that carried one. */
  firstSeqAfterResume: number[];
  framesReceived: number;
  /** Pings received on this run's sockets. */
  pings: number;
  /** Frames that did not start right after what was stored (must stay empty). */
  violations: string[];
  socket: WebSocket | undefined;
}

const RUN_PATH = /^\/api\/host\/sessions\/([A-Za-z0-9_-]{1,128})\/runs\/([A-Za-z0-9_-]{1,128})\?host=[A-Za-z0-9_-]{1,128}$/;

export class FakeEdge {
  readonly hellos: HelloFrame[] = [];
  readonly rejections: RunRejectedFrame[] = [];
  readonly runs = new Map<string, FakeRun>();
  /** Authorization headers of refused upgrades. */
  readonly refusedUpgrades: string[] = [];
  controlSocket: WebSocket | undefined;
  /** Control-socket pings received; pings on either socket are answered while `answerPings` is true. */
  pings = 0;
  answerPings = true;
  /** Control frames that were neither a ping nor a valid frame (must stay empty). */
  readonly badControlFrames: string[] = [];
  /** When each control-socket ping arrived (performance.now()). */
  readonly pingTimes: number[] = [];
  /** The ping interval the welcome asks for. */
  pingIntervalMs = HOST_PING_INTERVAL_MS;
  /** Run secrets of the starts sent, by run id. */
  readonly runSecrets = new Map<string, string>();
  /** Run sockets refused for a missing or wrong secret (must stay empty for a well-behaved host). */
  readonly refusedRunSockets: string[] = [];
  decide: (run: FakeRun, frame: HostToEdgeRunFrame) => FrameDecision = () => "ack";
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #token: string;

  private constructor(server: Server, token: string) {
    this.#server = server;
    this.#token = token;
  }

  static async start(token: string, port = 0): Promise<FakeEdge> {
    const server = createServer();
    const edge = new FakeEdge(server, token);
    server.on("request", (request, response) => {
      const status = request.headers.authorization === `Bearer ${token}` ? 426 : 401;
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: status === 401 ? "invalid host token" : "expected a WebSocket upgrade" }));
    });
    server.on("upgrade", (request, socket, head) => edge.#onUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return edge;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  sendControl(frame: EdgeToHostControlFrame): void {
    if (!this.controlSocket) throw new Error("no host is connected");
    if (frame.type === "start") this.runSecrets.set(frame.runId, frame.runSecret);
    this.controlSocket.send(JSON.stringify(frame));
  }

  sendRun(runId: string, frame: EdgeToHostRunFrame): void {
    const socket = this.runs.get(runId)?.socket;
    if (!socket) throw new Error(`run ${runId} has no socket`);
    socket.send(JSON.stringify(frame));
  }

  /** Acknowledge everything stored of a run whose acks were held. */
  releaseAcks(runId: string): void {
    const run = this.runs.get(runId);
    run?.socket?.send(JSON.stringify({ type: "ack", seq: storedSeq(run) }));
  }

  dropControl(): void {
    this.controlSocket?.terminate();
    this.controlSocket = undefined;
  }

  run(runId: string): FakeRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} never connected`);
    return run;
  }

  async waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    await waitUntil(check, what, timeoutMs);
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (request.headers.authorization !== `Bearer ${this.#token}`) {
      this.refusedUpgrades.push(request.headers.authorization ?? "");
      const body = JSON.stringify({ error: "invalid host token" });
      socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    const path = request.url ?? "";
    const runMatch = RUN_PATH.exec(path);
    if (path !== CONTROL_SOCKET_PATH && !runMatch) {
      socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (!runMatch) this.#acceptControl(ws);
      else if (request.headers[RUN_SECRET_HEADER] === this.runSecrets.get(runMatch[2]!)) this.#acceptRun(ws, runMatch[1]!, runMatch[2]!);
      else {
        this.refusedRunSockets.push(runMatch[2]!);
        ws.send(JSON.stringify({ type: "error", error: "wrong run secret", fatal: true } satisfies EdgeToHostRunFrame));
        ws.close(4403, "not this host's run");
      }
    });
  }

  #acceptControl(ws: WebSocket): void {
    this.controlSocket = ws;
    ws.on("message", (data) => {
      const text = String(data);
      if (text === PING_FRAME) {
        this.pings += 1;
        this.pingTimes.push(performance.now());
        if (this.answerPings) ws.send(PONG_FRAME);
        return;
      }
      const parsed = hostToEdgeControlFrame.safeParse(JSON.parse(text));
      if (!parsed.success) {
        this.badControlFrames.push(text);
        return;
      }
      const frame = parsed.data;
      if (frame.type === "hello") {
        this.hellos.push(frame);
        ws.send(JSON.stringify({ type: "welcome", hostId: frame.hostId, pingIntervalMs: this.pingIntervalMs } satisfies EdgeToHostControlFrame));
      } else {
        this.rejections.push(frame);
      }
    });
  }

  #acceptRun(ws: WebSocket, sessionId: string, runId: string): void {
    let run = this.runs.get(runId);
    if (!run) {
      run = { sessionId, runId, lines: [], exit: undefined, resumePoints: [], firstSeqAfterResume: [], framesReceived: 0, pings: 0, violations: [], socket: undefined };
      this.runs.set(runId, run);
    }
    const current = run;
    current.socket = ws;
    let dead = false;
    let firstFrame = true;
    const resumePoint = storedSeq(current);
    current.resumePoints.push(resumePoint);
    ws.send(JSON.stringify({ type: "ack", seq: resumePoint }));
    ws.on("message", (data, isBinary) => {
      if (dead) return;
      // The edge refuses binary frames ("frames must be text").
      if (isBinary) throw new Error("the host sent a binary frame on a run socket");
      if (String(data) === PING_FRAME) {
        current.pings += 1;
        if (this.answerPings) ws.send(PONG_FRAME);
        return;
      }
      const parsed = parseRunFrame(String(data));
      if (!parsed.ok) throw new Error(parsed.error);
      const frame = parsed.frame;
      current.framesReceived += 1;
      const first = frame.type === "lines" ? frame.firstSeq : frame.seq;
      if (firstFrame) current.firstSeqAfterResume.push(first);
      firstFrame = false;
      const decision = this.decide(current, frame);
      if (decision === "drop") {
        dead = true;
        ws.terminate();
        return;
      }
      if (first !== storedSeq(current) + 1) {
        current.violations.push(`frame starting at ${first} after ${storedSeq(current)} stored`);
        return;
      }
      if (frame.type === "lines") current.lines.push(...frame.lines);
      else current.exit = frame;
      if (decision === "store-then-drop") {
        dead = true;
        ws.terminate();
      } else if (decision === "ack") {
        ws.send(JSON.stringify({ type: "ack", seq: storedSeq(current) }));
      }
    });
  }
}

function storedSeq(run: FakeRun): number {
  return run.lines.length + (run.exit ? 1 : 0);
}
