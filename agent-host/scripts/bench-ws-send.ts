// `node agent-host/scripts/bench-ws-send.ts [--frames 200] [--frame-kib 900] [--rounds 3]`: the CPU a
// WebSocket client spends sending the host's largest frames (text of ~900 KiB: 2,000 lines), per MB, for
// Node's global WebSocket (undici), `ws` masking in JavaScript (WS_NO_BUFFER_UTIL=1) and `ws` with the
// native `bufferutil` (what the host uses, agent-host/src/dial.ts). Each client runs in its own process
// against one local `ws` server that acknowledges every frame; at most 4 frames are in flight, as the run
// link keeps several. The rounds interleave the clients, so load from other jobs falls on all of them.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WebSocket, WebSocketServer } from "ws";
import { median } from "../../scripts/bench/figures.ts";

const CLIENTS = ["undici", "ws (JavaScript masking)", "ws + bufferutil"] as const;
type Client = (typeof CLIENTS)[number];
const IN_FLIGHT = 4;
const WARM_UP_FRAMES = 20;

/** What both clients share, as the bench uses them. */
interface SendingSocket {
  send(text: string): void;
  addEventListener(type: "open" | "message", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "message", listener: () => void): void;
  close(): void;
}

interface ClientFigures {
  cpuMs: number;
  wallMs: number;
  mb: number;
  nativeMasking: boolean;
}

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "200" },
    "frame-kib": { type: "string", default: "900" },
    rounds: { type: "string", default: "3" },
    client: { type: "string" },
    port: { type: "string" },
  },
});
const frames = Number(values.frames);
const frameBytes = Number(values["frame-kib"]) * 1024;

if (values.client === undefined) await main();
else await sendFrames(values.client as Client, Number(values.port));

async function main(): Promise<void> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", (socket) => socket.on("message", () => socket.send("ack")));
  const port = (server.address() as { port: number }).port;
  const results = new Map<Client, ClientFigures[]>(CLIENTS.map((client) => [client, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const client of CLIENTS) results.get(client)!.push(await runClient(client, port));
  }
  server.close();
  console.log(`${frames} text frames of ${values["frame-kib"]} KiB per run, medians of ${values.rounds} runs`);
  console.log("| client | CPU ms per MB sent | MB/s | native masking |");
  console.log("| --- | --- | --- | --- |");
  for (const [client, runs] of results) {
    const cpuPerMb = median(runs.map((run) => run.cpuMs / run.mb));
    const mbPerS = median(runs.map((run) => run.mb / (run.wallMs / 1000)));
    console.log(`| ${client} | ${cpuPerMb.toFixed(2)} (runs: ${runs.map((run) => (run.cpuMs / run.mb).toFixed(2)).join(", ")}) | ${mbPerS.toFixed(0)} | ${runs[0]!.nativeMasking ? "yes" : "no"} |`);
  }
}

function runClient(client: Client, port: number): Promise<ClientFigures> {
  const env = { ...process.env, WS_NO_BUFFER_UTIL: client === "ws (JavaScript masking)" ? "1" : "" };
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--client", client, "--port", String(port), "--frames", String(frames), "--frame-kib", String(values["frame-kib"])], { env, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(output) as ClientFigures) : reject(new Error(`${client}: exited with ${code}`))));
  });
}

/** One client process: connect, warm up, then send `frames` frames and wait for every ack. */
async function sendFrames(client: Client, port: number): Promise<void> {
  const line = `${JSON.stringify({ type: "text-delta", delta: "word ", id: "m1" })}`;
  const text = JSON.stringify({ type: "lines", seq: 1, lines: Array.from({ length: Math.ceil(frameBytes / (line.length + 3)) }, () => line) }).slice(0, frameBytes);
  const url = `ws://127.0.0.1:${port}/`;
  const socket: SendingSocket = client === "undici" ? new globalThis.WebSocket(url) : new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve) => socket.addEventListener("open", () => resolve(), { once: true }));
  const send = (count: number) =>
    new Promise<void>((resolve) => {
      let sent = 0;
      let acked = 0;
      const pump = () => {
        while (sent < count && sent - acked < IN_FLIGHT) {
          socket.send(text);
          sent++;
        }
      };
      const onAck = () => {
        acked++;
        if (acked === count) {
          socket.removeEventListener("message", onAck);
          resolve();
        } else pump();
      };
      socket.addEventListener("message", onAck);
      pump();
    });
  await send(WARM_UP_FRAMES);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await send(frames);
  const cpu = process.cpuUsage(cpuBefore);
  const figures: ClientFigures = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wallBefore,
    mb: (frames * Buffer.byteLength(text)) / 1e6,
    nativeMasking: client === "ws + bufferutil" && nativeBufferutil(),
  };
  socket.close();
  process.stdout.write(JSON.stringify(figures));
}

/** Whether ws, where the host resolves it, loads bufferutil's native binding (not its JavaScript fallback). */
function nativeBufferutil(): boolean {
  const requireFromWs = createRequire(createRequire(import.meta.url).resolve("ws"));
  try {
    const bufferutil = requireFromWs("bufferutil") as { mask: () => void };
    return bufferutil.mask.toString().includes("[native code]");
  } catch {
    return false;
  }
}
