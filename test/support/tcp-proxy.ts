// A loopback TCP proxy in front of the edge, so a test can cut every connection through it at once
// (the host's sockets, a browser's stream) as a network drop would, and let new ones through again.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly targetPort: () => number;
  port = 0;

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
