// `PATH=<openclaw's bin>:$PATH node scripts/bench/openclaw-gateway.ts [--rounds N] [--env KEY=VALUE ...] [--events]`
//
// Three warm turns at once against one, on the real openclaw gateway WITHOUT the relay: the host's own
// gateway backend (it starts and supervises `openclaw gateway run`, as `--agent openclaw` does) and its
// adapter, called directly, with the instant fake model of the opt-in test (one turn = a `read` tool
// call and a one-line answer). Each chat has two turns behind it first. Per round: one chat alone, then
// three other chats at once; it prints their times (start to the turn's end), the CPU time of the
// gateway's main thread (where openclaw does each turn's own work) and how busy that thread was while
// the three ran. `--env` passes a variable to the gateway (e.g. OPENCLAW_TRAJECTORY=0); `--events`
// prints each turn's gateway events with their times (ms after the turn was sent: the gateway's
// timestamp / when the host had it). Figures and method: docs/performance.md (issue 10).
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { openclawGatewayBackend } from "../../agent-host/src/adapters/openclaw-gateway-backend.ts";
import { startFakeModelServer } from "../../agent-host/test/support/fake-model-server.ts";
import { openclawHome, READ_NOTES_SCRIPT } from "../../agent-host/test/support/openclaw-home.ts";
import { mainThreadCpuMs } from "../../agent-host/test/support/thread-cpu.ts";
import { agentLineText } from "../../agent-host/src/run-outbox.ts";
import { median } from "./figures.ts";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "8" }, env: { type: "string", multiple: true, default: [] }, events: { type: "boolean", default: false } },
});
const rounds = Number(values.rounds);
const gatewayEnv = Object.fromEntries(values.env.map((assignment) => [assignment.slice(0, assignment.indexOf("=")), assignment.slice(assignment.indexOf("=") + 1)]));

const model = await startFakeModelServer(READ_NOTES_SCRIPT);
const { home, workspace, env } = openclawHome(model.baseUrl);
const logs: string[] = [];
const backend = openclawGatewayBackend(
  { gatewayUrl: undefined, gatewayToken: undefined, openclawCommand: ["openclaw"], command: [], cwd: workspace, env: { ...env, ...gatewayEnv } },
  (line) => logs.push(line),
);
const startedAt = performance.now();
await backend.ready;
const pid = Number(/openclaw gateway: started .*\(pid (\d+)\)/.exec(logs.join("\n"))?.[1]);
console.log(`gateway ready after ${((performance.now() - startedAt) / 1000).toFixed(1)} s (pid ${pid}); load average ${loadavg()[0]!.toFixed(2)}`);

interface Turn {
  ms: number;
  /** "stream[:phase]@gateway ts/host receipt", ms after the turn was sent. */
  events: string[];
}

async function turn(chat: string): Promise<Turn> {
  const started = performance.now();
  const sentAt = Date.now();
  const events: string[] = [];
  const run = backend.adapter(
    { type: "start", sessionId: chat, runId: randomUUID(), message: "What do my notes say?", agentSessionId: chat, runSecret: randomUUID() },
    (lines) => {
      for (const line of lines) {
        const event = JSON.parse(agentLineText(line)) as { event?: string; stream?: string; ts?: number; data?: { phase?: string } };
        if (event.event !== "agent") continue;
        events.push(`${event.stream}${event.data?.phase ? `:${event.data.phase}` : ""}@${(event.ts ?? Number.NaN) - sentAt}/${Date.now() - sentAt}`);
      }
    },
  );
  const exit = await run.exited;
  if (exit.error) throw new Error(`the turn on ${chat} failed: ${exit.error}`);
  return { ms: performance.now() - started, events };
}

const chats = ["alone", "side-1", "side-2", "side-3"].map((name) => `bench-${name}-${randomUUID().slice(0, 8)}`);
for (const chat of chats) for (let warm = 0; warm < 2; warm++) await turn(chat);

const ones: number[] = [];
const alls: number[] = [];
const oneCpu: number[] = [];
const threeCpu: number[] = [];
const busy: number[] = [];
for (let round = 0; round < rounds; round++) {
  const cpuBeforeOne = mainThreadCpuMs(pid);
  const one = await turn(chats[0]!);
  oneCpu.push(mainThreadCpuMs(pid) - cpuBeforeOne);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cpuBeforeThree = mainThreadCpuMs(pid);
  const started = performance.now();
  const three = await Promise.all(chats.slice(1).map((chat) => turn(chat)));
  const all = performance.now() - started;
  threeCpu.push(mainThreadCpuMs(pid) - cpuBeforeThree);
  busy.push(threeCpu.at(-1)! / all);
  ones.push(one.ms);
  alls.push(all);
  console.log(
    `round ${round + 1}: one ${one.ms.toFixed(0)} ms; three at once ${three.map((t) => t.ms.toFixed(0)).join(", ")} ms, ${(all / one.ms).toFixed(2)}x; ` +
      `main thread CPU ${oneCpu.at(-1)!.toFixed(0)} ms for the one, ${threeCpu.at(-1)!.toFixed(0)} ms for the three (busy ${(busy.at(-1)! * 100).toFixed(0)}%)`,
  );
  if (values.events) for (const [label, t] of [["one", one] as const, ...three.map((t) => ["three", t] as const)]) console.log(`  ${label}: ${t.events.join(" ")}`);
  await new Promise((resolve) => setTimeout(resolve, 300));
}
console.log(
  `median: one ${median(ones).toFixed(0)} ms, three at once all done ${median(alls).toFixed(0)} ms (${(median(alls) / median(ones)).toFixed(2)}x); ` +
    `gateway main thread CPU per warm turn ${median(oneCpu).toFixed(0)} ms, for three ${median(threeCpu).toFixed(0)} ms, busy ${(median(busy) * 100).toFixed(0)}% while the three ran; ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
);
await backend.stop();
await model.close();
rmSync(home, { recursive: true, force: true });
