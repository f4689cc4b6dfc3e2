import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { CONTROL_SOCKET_PATH } from "../../protocol/host.ts";
import { toWebSocketUrl } from "../src/config.ts";
import { dial } from "../src/dial.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { FakeEdge } from "./support/fake-edge.ts";

const TOKEN = "dial-token";
const cleanup = cleanupAfterEach();

async function fakeEdge(): Promise<FakeEdge> {
  const edge = await FakeEdge.start(TOKEN);
  cleanup(() => edge.close());
  return edge;
}

async function listening<T extends TcpServer | WebSocketServer>(server: T): Promise<number> {
  await new Promise((resolve) => server.once("listening", resolve));
  cleanup(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

describe("dial", () => {
  it("reports the status and body of a refused upgrade (a 401 is what stops the host)", async () => {
    const edge = await fakeEdge();
    const result = await dial(toWebSocketUrl(edge.url)! + CONTROL_SOCKET_PATH, "wrong-token");
    expect(result).toEqual({ ok: false, status: 401, reason: 'HTTP 401 {"error":"invalid host token"}' });
    expect(edge.refusedUpgrades).toEqual(["Bearer wrong-token"]);
  });

  it("reports a status without a body as the bare status", async () => {
    const edge = await fakeEdge();
    const result = await dial(`${toWebSocketUrl(edge.url)!}/api/host/nowhere`, TOKEN);
    expect(result).toEqual({ ok: false, status: 404, reason: "HTTP 404" });
  });

  it("reports an unreachable edge by its error code, without a status", async () => {
    const server = createTcpServer().listen(0, "127.0.0.1");
    const port = await listening(server);
    await new Promise((resolve) => server.close(resolve));
    expect(await dial(`ws://127.0.0.1:${port}/`, TOKEN)).toEqual({ ok: false, reason: "ECONNREFUSED" });
  });

  it("gives up on an edge that accepts the connection but never answers the upgrade", async () => {
    const accepted: Socket[] = [];
    const server = createTcpServer((socket) => accepted.push(socket)).listen(0, "127.0.0.1");
    const port = await listening(server);
    cleanup(() => accepted.forEach((socket) => socket.destroy()));
    const started = performance.now();
    const result = await dial(`ws://127.0.0.1:${port}/`, TOKEN, {}, 200);
    expect(result).toEqual({ ok: false, reason: "Opening handshake has timed out" });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("presents the token and extra headers, and holds what the edge says at once until the caller resumes", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    const upgrades: { authorization?: string; secret?: string | string[] }[] = [];
    server.on("connection", (socket, request) => {
      upgrades.push({ authorization: request.headers.authorization, secret: request.headers["x-run-secret"] });
      // Sent with the upgrade's answer, as the edge sends a run socket's resume point.
      socket.send("first");
      socket.send("second");
    });
    const result = await dial(`ws://127.0.0.1:${port}/`, TOKEN, { "x-run-secret": "s3cret" });
    if (!result.ok) throw new Error(`dial failed: ${result.reason}`);
    cleanup(() => result.socket.terminate());
    // The links put their listeners on after a few awaits; give the frames every chance to arrive first.
    await sleep(100);
    const received: string[] = [];
    result.socket.addEventListener("message", (event) => received.push(String(event.data)));
    result.socket.resume();
    await expect.poll(() => received).toEqual(["first", "second"]);
    expect(upgrades).toEqual([{ authorization: `Bearer ${TOKEN}`, secret: "s3cret" }]);
  });
});
