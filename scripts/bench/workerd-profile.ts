// `node scripts/bench/workerd-profile.ts [runs] [lines]`: where workerd's CPU goes while it relays bursts
// (issue 12: "profile where a line's CPU goes ... in the object"). Starts the bench's relay (`wrangler dev`,
// the agent host, the bench agent), takes a V8 CPU profile of the Worker and its objects through the
// DevTools protocol that `wrangler dev --inspector-port` serves (Profiler.start/stop), while `runs` runs of
// `lines` deltas go through with one reader each, and prints the functions by self time and by total
// time, as shares of the busy samples. With --save <file> it also writes the .cpuprofile (DevTools opens it).
// The profiler's sampling slows workerd down a little; the shares, not the milliseconds, are the figure.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { BenchRelay } from "./relay.ts";
import { readStream } from "./stream-probe.ts";
import { printTable } from "./table.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { save: { type: "string" } } });
const runs = Number(positionals[0] ?? 3);
const lines = Number(positionals[1] ?? 100_000);
const SAMPLING_INTERVAL_US = 100;

/** A DevTools protocol session: one call at a time is all this needs. */
async function devtools(port: number): Promise<{ call: (method: string, params?: object) => Promise<Record<string, unknown>>; close: () => void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let lastId = 0;
  return {
    call: (method, params) =>
      new Promise((resolve) => {
        const id = ++lastId;
        const onMessage = (data: WebSocket.RawData) => {
          const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
          if (message.id !== id) return;
          socket.off("message", onMessage);
          resolve(message.result ?? {});
        };
        socket.on("message", onMessage);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || "(anonymous)";
  return `${functionName || "(anonymous)"} (bundle line ${lineNumber + 1})`;
}

/** Self and total time per function name, in ms, the busy total (every sample not idle) and the idle one. */
function summarise(profile: CpuProfile): { self: Map<string, number>; total: Map<string, number>; busy: number; idle: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((nodeId, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(nodeId)!;
    if (node.callFrame.functionName === "(idle)") {
      idle += ms;
      return;
    }
    busy += ms;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = nodeId; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name) || name === "(root)") continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  });
  return { self, total, busy, idle };
}

const relay = new BenchRelay();
await relay.start();
try {
  const session = await devtools(relay.edge.inspectorPort);
  for (let i = 0; i < 2; i++) await readStream(await relay.startRun(`profile-warmup-${Date.now()}-${i}`, "2000"), 2000);
  await session.call("Profiler.enable");
  // V8's default interval (1 ms, ~2.4 ms apart in workerd) gives a run only a few hundred samples.
  await session.call("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await session.call("Profiler.start");
  for (let run = 0; run < runs; run++) await readStream(await relay.startRun(`profile-${Date.now()}-${run}`, String(lines)), lines);
  const { profile } = (await session.call("Profiler.stop")) as { profile: CpuProfile };
  session.close();
  if (values.save) writeFileSync(values.save, JSON.stringify(profile));

  const { self, total, busy, idle } = summarise(profile);
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(1)}%`;
  const top = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, ms]) => [name, ms.toFixed(0), share(ms)]);
  console.log(`\nworkerd (the Worker and its objects), V8 CPU profile of ${runs} run(s) of ${lines.toLocaleString("en-US")} deltas, one reader each`);
  // "(program)" is the runtime's own work outside JavaScript (I/O, SQLite's C, the event loop), "(garbage collector)" GC.
  console.log(`busy ${busy.toFixed(0)} ms (JavaScript, "(program)" and "(garbage collector)"), idle ${idle.toFixed(0)} ms\n`);
  console.log("by self time");
  printTable(["function", "ms", "of busy"], top(self, 20));
  console.log("\nby total time (the function and what it called)");
  printTable(["function", "ms", "of busy"], top(total, 30));
} finally {
  await relay.stop();
}
