// A loopback TCP proxy in front of the edge, so a test can cut every connection through it at once
// (the host's sockets, a browser's stream) as a network drop would, and let new ones through again.
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** One HTTP/1.1 request seen on the way through, and the bytes of its answer that reached the client. */
export interface ProxiedRequest {
  method: string;
  path: string;
  lastEventId: string | null;
  /** Raw bytes from the edge to the client while this was the connection's latest request. */
  bytesToClient: number;
}

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly targetPort: () => number;
  port = 0;
  /** Every request through the proxy, in order (HTTP/1.1 sends one at a time per connection). */
  readonly requests: ProxiedRequest[] = [];

  constructor(targetPort: () => number) {
    this.targetPort = targetPort;
    this.server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort() });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      let current: ProxiedRequest | null = null;
      client.on("data", (data: Buffer) => {
        const head = data.toString("latin1", 0, Math.min(data.length, 16_384));
        const line = /^([A-Z]+) (\S+) HTTP\/1\.1\r\n/.exec(head);
        if (!line) return; // a request body, or a WebSocket's frames
        const lastEventId = /\r\nlast-event-id: *([^\r]*)\r\n/i.exec(head.slice(0, head.indexOf("\r\n\r\n") + 2))?.[1] ?? null;
        current = { method: line[1]!, path: line[2]!, lastEventId, bytesToClient: 0 };
        this.requests.push(current);
      });
      upstream.on("data", (data: Buffer) => {
        if (current) current.bytesToClient += data.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection, abruptly (no close handshake). */
  cutAll(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.resetAndDestroy();
    return count;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
