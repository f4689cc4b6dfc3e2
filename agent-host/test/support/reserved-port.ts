// A loopback port for a server a test stops and starts again on the same port (a gateway killed and
// restarted, an edge that is not up yet), or probes while nothing listens. Taken below the kernel's
// ephemeral range (32768-60999 on Linux by default), where the port-0 servers and outgoing connections of
// test files running alongside never land, so nobody else takes it in the gap. (A freed ephemeral port was
// once taken by another file's fake edge within a second.)
import { createServer } from "node:net";

const LOWEST = 20_000;
const COUNT = 12_000;

export async function portOutsideEphemeralRange(): Promise<number> {
  for (;;) {
    const port = LOWEST + Math.floor(Math.random() * COUNT);
    if (await listensOn(port)) return port;
  }
}

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
