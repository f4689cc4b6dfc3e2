// `npm run bench [-- --quick] [-- --only throughput,latency,replay,persistence,scale,memory,cost] [-- --scale-rate N]`
//
// The relay's benchmarks against local workerd (`wrangler dev`), the real agent host and the bench agent
// (bench-agent.mjs); prints a table with the machine it ran on. Not part of `npm test`: figures are
// reported, not asserted. Method and latest figures: docs/performance.md. The full run takes about
// 1.5 minutes on 2 cores; --quick is a smoke run of about 20 seconds (smaller runs, one of each).
// --scale-rate sets the pace of the second scale benchmark (default 50 lines/s per session);
// --throughput-lines the length of the throughput runs (default 20,000; the issue's side-by-side uses 100,000);
// --reference <dir> also runs the in-process reference's harness from <dir> (../shared/baseline), before
// and after the relay's one-subscriber runs, with its agent and with the relay's (reference.ts), times
// each agent alone, and prints them side by side.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { benchCost, COST_RUN_GRACE_MS, METERED_WORKER, type CostCase, type CostResult } from "./cost-runs.ts";
import type { CpuSplit } from "./cpu.ts";
import { median } from "./figures.ts";
import { describeMachine } from "./machine.ts";
import { benchMemory } from "./memory.ts";
import { benchPersistence } from "./persistence.ts";
import { agentAloneThroughput, referenceAgents, referenceThroughput } from "./reference.ts";
import { BENCH_AGENT, BenchRelay } from "./relay.ts";
import { benchLatency, benchScale, benchThroughput, type Integrity } from "./streaming.ts";
import { readStream } from "./stream-probe.ts";
import { printTable, type Row } from "./table.ts";

const BENCHMARKS = ["throughput", "latency", "replay", "persistence", "scale", "memory", "cost"] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const FULL = {
  runs: 3,
  throughputLines: 20_000,
  latency: { lines: 2_000, rate: 200 },
  scale: { sessions: 50, lines: 2_000 },
  /** The same sessions at a chat's pace (an LLM streams some tens of tokens a second). */
  pacedScale: { lines: 500, rate: 50 },
  persistence: { sizes: [10, 1_000, 10_000], relaySamples: 25, referenceSamples: 7 },
  memoryLines: 100_000,
  /** What a run costs (rows written, messages), one session at a time; a line every 5 and every 20 ms. */
  cost: {
    runs: 3,
    cases: [
      { label: "1,000 lines, as fast as they come", lines: 1000 },
      { label: "1,000 lines, one every 5 ms", lines: 1000, rate: 200 },
      { label: "1,000 lines, one every 20 ms", lines: 1000, rate: 50 },
      { label: "a 500-line answer, one line every 20 ms", lines: 500, rate: 50 },
    ] as CostCase[],
  },
};
const QUICK: typeof FULL = {
  runs: 1,
  throughputLines: 5_000,
  latency: { lines: 400, rate: 200 },
  scale: { sessions: 10, lines: 400 },
  pacedScale: { lines: 100, rate: 50 },
  persistence: { sizes: [10, 1_000, 10_000], relaySamples: 5, referenceSamples: 3 },
  memoryLines: 20_000,
  cost: {
    runs: 1,
    cases: [
      { label: "200 lines, as fast as they come", lines: 200 },
      { label: "200 lines, one every 5 ms", lines: 200, rate: 200 },
      { label: "200 lines, one every 20 ms", lines: 200, rate: 50 },
    ],
  },
};

function options(): { plan: typeof FULL; quick: boolean; only: Set<Benchmark>; reference?: string } {
  const { values } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" }, "scale-rate": { type: "string" }, "throughput-lines": { type: "string" }, reference: { type: "string" } } });
  const only = values.only?.split(",").map((name) => name.trim()) ?? [...BENCHMARKS];
  for (const name of only) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`--only: unknown benchmark "${name}" (known: ${BENCHMARKS.join(", ")})`);
  }
  const quick = values.quick === true;
  const plan = structuredClone(quick ? QUICK : FULL);
  if (values["scale-rate"] !== undefined) {
    const rate = Number(values["scale-rate"]);
    if (!(rate > 0)) throw new Error(`--scale-rate: expected lines per second, got "${values["scale-rate"]}"`);
    plan.pacedScale.rate = rate;
  }
  if (values["throughput-lines"] !== undefined) {
    const lines = Number(values["throughput-lines"]);
    if (!Number.isSafeInteger(lines) || lines < 1) throw new Error(`--throughput-lines: expected a line count, got "${values["throughput-lines"]}"`);
    plan.throughputLines = lines;
  }
  return { plan, quick, only: new Set(only as Benchmark[]), ...(values.reference ? { reference: values.reference } : {}) };
}

// Relays run in their own process groups: stop them on Ctrl-C as well as on the way out.
const running = new Set<BenchRelay>();
async function withRelay<T>(use: (relay: BenchRelay) => Promise<T>, relay = new BenchRelay()): Promise<T> {
  running.add(relay);
  try {
    await relay.start();
    return await use(relay);
  } finally {
    await relay.stop();
    running.delete(relay);
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void Promise.all([...running].map((relay) => relay.stop())).finally(() => process.exit(130));
  });
}

/** The first runs pay for compiling the Worker's and the host's code: two runs before any is measured. */
async function warmUp(relay: BenchRelay): Promise<void> {
  for (let i = 0; i < 2; i++) await readStream(await relay.startRun(`bench-warmup-${Date.now()}-${i}`, "2000"), 2000);
}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const lost = (integrity: Omit<Integrity, "disordered"> & { disordered?: number }) =>
  `${integrity.missing} lost, ${integrity.duplicated} duplicated${integrity.disordered ? `, ${integrity.disordered} out of order` : ""}`;
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

async function main(): Promise<void> {
  const { plan, quick, only, reference } = options();
  const machine = describeMachine();
  const rows: Row[] = [];
  let costs: CostResult[] = [];
  const cpu: Array<{ label: string; split: CpuSplit }> = [];

  if (only.has("throughput") || only.has("replay") || only.has("latency") || only.has("scale")) {
    await withRelay(async (relay) => {
      await warmUp(relay);
      const lines = plan.throughputLines;
      if (only.has("throughput") || only.has("replay")) {
        const agents = reference && only.has("throughput") ? referenceAgents(BENCH_AGENT) : [];
        const referenceRuns = async (measure: typeof referenceThroughput) => {
          const perAgent: number[][] = [];
          for (const agent of agents) {
            const runs: number[] = [];
            for (let run = 0; run < plan.runs; run++) runs.push(await measure(reference!, lines, agent));
            perAgent.push(runs);
          }
          return perAgent;
        };
        const referenceBefore = await referenceRuns(referenceThroughput);
        const one = await benchThroughput(relay, { lines, subscribers: 1, runs: plan.runs, replay: only.has("replay") });
        const referenceAfter = await referenceRuns(referenceThroughput);
        const agentsAlone = await referenceRuns(agentAloneThroughput);
        if (only.has("throughput")) {
          const ten = await benchThroughput(relay, { lines, subscribers: 10, runs: plan.runs, replay: false });
          cpu.push({ label: `one run, 1 subscriber`, split: one.cpu }, { label: `one run, 10 subscribers`, split: ten.cpu });
          rows.push(
            { bench: `1. throughput, ${fmt(lines)} deltas, 1 subscriber`, figure: `${fmt(one.linesPerSecond)} lines/s (runs: ${one.perRun.map((v) => fmt(v)).join(", ")})`, target: ">= 50,000 lines/s", verdict: verdict(one.linesPerSecond >= 50_000), integrity: lost(one) },
            { bench: `1. throughput, ${fmt(lines)} deltas, 10 subscribers`, figure: `${fmt(ten.linesPerSecond)} lines/s each (runs: ${ten.perRun.map((v) => fmt(v)).join(", ")})`, target: ">= 50,000 lines/s", verdict: verdict(ten.linesPerSecond >= 50_000), integrity: lost(ten) },
          );
          agents.forEach((agent, i) => {
            const perRun = [...referenceBefore[i]!, ...referenceAfter[i]!];
            const ratio = one.linesPerSecond / median(perRun);
            const alone = median(agentsAlone[i]!);
            rows.push(
              { bench: `1. the in-process reference, ${fmt(lines)} deltas, ${agent.label}, runs before and after the relay's`, figure: `${fmt(median(perRun))} lines/s (runs: ${perRun.map((v) => fmt(v)).join(", ")}); agent-relay ${fmt(ratio, 2)}x`, target: "agent-relay >= 1.5x", verdict: verdict(ratio >= 1.5), integrity: "" },
              { bench: `1. ${agent.label} alone, into a newline counter (spawn to end, as the reference's clock)`, figure: `${fmt(alone)} lines/s (runs: ${agentsAlone[i]!.map((v) => fmt(v)).join(", ")}); the reference reached ${fmt((100 * median(perRun)) / alone)}% of it`, target: "", verdict: "", integrity: "" },
            );
          });
        }
        if (one.replayMs !== undefined) {
          rows.push({ bench: `3. replay of a ${fmt(lines)}-delta run, joined after its end`, figure: `${fmt(one.replayMs)} ms (runs: ${one.replayPerRun!.map((v) => fmt(v)).join(", ")})`, target: "<= 300 ms", verdict: verdict(one.replayMs <= 300), integrity: lost(one) });
        }
      }
      if (only.has("latency")) {
        const latency = await benchLatency(relay, { ...plan.latency, runs: plan.runs });
        rows.push({ bench: `2. latency at ${latency.rate} lines/s (${fmt(plan.latency.lines)} lines a run)`, figure: `p50 ${fmt(latency.p50Ms, 1)} ms, p99 ${fmt(latency.p99Ms, 1)} ms, max ${fmt(latency.maxMs, 1)} ms`, target: "p99 <= 20 ms", verdict: verdict(latency.p99Ms <= 20), integrity: lost(latency) });
      }
      if (only.has("scale")) {
        const { sessions } = plan.scale;
        const flat = await benchScale(relay, { sessions, lines: plan.scale.lines, runs: plan.runs });
        const paced = await benchScale(relay, { sessions, ...plan.pacedScale, runs: plan.runs });
        cpu.push({ label: `${sessions} sessions at once`, split: flat.cpu }, { label: `${sessions} sessions at once, ${paced.rate} lines/s each`, split: paced.cpu });
        for (const scale of [flat, paced]) {
          const intact = scale.missing + scale.duplicated + scale.disordered === 0;
          rows.push({
            bench: `5. ${sessions} sessions at once, ${fmt(scale.linesPerSession)} lines each${scale.rate ? ` at ${scale.rate} lines/s` : ""}`,
            figure: `${scale.rate ? "" : `${fmt(scale.totalLinesPerSecond)} lines/s in total; `}latency p50 ${fmt(scale.p50Ms, 1)} ms, p99 ${fmt(scale.p99Ms, 1)} ms`,
            target: "no line lost or duplicated",
            verdict: verdict(intact),
            integrity: `${lost(scale)} (streams and stored answers)`,
          });
        }
      }
    });
  }

  if (only.has("persistence")) {
    const figures = await benchPersistence(plan.persistence.sizes, { relay: plan.persistence.relaySamples, reference: plan.persistence.referenceSamples });
    const relayMs = figures.map((figure) => figure.relayMs);
    const flat = Math.max(...relayMs) <= 2 * Math.min(...relayMs);
    for (const figure of figures) {
      rows.push({
        bench: `4. persist the run's message, ${fmt(figure.priorMessages)} prior messages`,
        figure: `agent-relay ${fmt(figure.relayMs, 2)} ms (${fmt(figure.relayWithOverheadMs, 2)} with overhead); reference ${fmt(figure.referenceMs, 1)} ms (${fmt(figure.referenceFileBytes / 2 ** 20, 1)} MiB file)`,
        target: "flat within 2x",
        verdict: verdict(flat),
        integrity: "",
      });
    }
  }

  if (only.has("cost")) {
    const metered = new BenchRelay({ script: METERED_WORKER, vars: { RUN_GRACE_MS: String(COST_RUN_GRACE_MS) } });
    costs = await withRelay(async (relay) => {
      await warmUp(relay);
      return benchCost(relay, plan.cost.cases, plan.cost.runs);
    }, metered);
  }

  if (only.has("memory")) {
    const memory = await withRelay((relay) => benchMemory(relay, { lines: plan.memoryLines, runs: plan.runs }));
    for (const [name, figure] of [["workerd (Worker + objects)", memory.workerd], ["agent host", memory.host]] as const) {
      rows.push({
        bench: `6. memory of ${name}, ${fmt(memory.lines)}-delta run`,
        figure: `idle ${fmt(figure.idleMiB)} MiB, peak ${fmt(figure.peakMiB)} MiB (+${fmt(figure.peakMiB - figure.idleMiB)}), VmHWM ${fmt(figure.highWaterMiB)} MiB`,
        target: "(reported)",
        verdict: "",
        integrity: lost({ missing: memory.missing, duplicated: memory.duplicated }),
      });
    }
  }

  console.log(`\nagent-relay bench${quick ? " (--quick: smaller runs, one of each; not the reported figures)" : ""}, medians of ${plan.runs} run(s)`);
  console.log(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${fmt(machine.memoryGiB, 1)} GiB, Node ${machine.node}, wrangler ${machine.wrangler}, workerd ${machine.workerd}; load average (1 min) at start ${fmt(machine.loadAtStart, 2)}, at end ${fmt(loadavg()[0]!, 2)}\n`);
  printTable(["benchmark", "figure", "target", "", "lines lost / duplicated"], rows.map((row) => [row.bench, row.figure, row.target, row.verdict, row.integrity]));
  if (costs.length > 0) {
    console.log("\ncost, measured: every SQL statement's rowsWritten (session object, hub, index) from a run's start to after its compaction; WebSocket messages into the session object; requests = messages / 20 + 7 per run (scripts/bench/cost.ts)\n");
    printTable(
      ["runs (one session at a time)", "rows written / 1,000 lines (session object)", "WebSocket messages / 1,000 lines", "object requests / 1,000 lines", "per run: rows, requests", "runs a day on Workers Free", "latency p50 / p99", "first delta after the POST / after the agent wrote it", "lines lost / duplicated"],
      costs.map((cost) => [
        cost.label,
        `${fmt(cost.rowsWrittenPer1000, 1)} (${fmt(cost.sessionRowsPer1000, 1)})`,
        fmt(cost.socketMessagesPer1000, 1),
        fmt(cost.requestsPer1000, 2),
        `${fmt(cost.rowsPerRun, 1)}, ${fmt(cost.requestsPerRun, 1)}`,
        fmt(cost.answersPerDayFree),
        cost.p50Ms === null ? "" : `${fmt(cost.p50Ms, 1)} / ${fmt(cost.p99Ms!, 1)} ms`,
        `${fmt(cost.firstDeltaAfterPostMs, 1)} / ${fmt(cost.firstDeltaAfterWriteMs, 1)} ms`,
        `${cost.missing} lost, ${cost.duplicated} duplicated`,
      ]),
    );
    for (const cost of costs) {
      console.log(`\nwhere the rows of one run go: ${cost.label}`);
      for (const [statement, rows] of cost.byStatement) console.log(`  ${String(rows).padStart(5)}  ${statement}`);
    }
  }
  if (cpu.length > 0) {
    console.log("\nCPU ms per 1,000 agent lines, by process (method: scripts/bench/cpu.ts)\n");
    printTable(
      ["runs", "workerd", "wrangler dev's proxy", "agent host", "agents", "SSE readers (bench)"],
      cpu.map(({ label, split }) => [label, fmt(split.workerd, 1), fmt(split.devProxy, 1), fmt(split.host, 1), fmt(split.agents, 1), fmt(split.readers, 1)]),
    );
  }
}

await main();
