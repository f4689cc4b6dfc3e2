// Benchmark 6: resident memory of the workerd process that runs the Worker and its Durable Objects
// (wrangler dev starts two workerd processes; the other is its dev proxy in front) and of the agent
// host, idle and during a long run, sampled from /proc every 10 ms.
import { readFileSync } from "node:fs";
import { checkExactlyOnce, median } from "./figures.ts";
import type { BenchRelay } from "./relay.ts";
import { readStream } from "./stream-probe.ts";

export interface ProcessMemory {
  /** RSS after one small warm-up run, before the measured runs (MiB). */
  idleMiB: number;
  /** Median over runs of the highest RSS sampled during the run (MiB). */
  peakMiB: number;
  /** The kernel's high-water mark at the end (VmHWM, MiB): the peak over the process's whole life. */
  highWaterMiB: number;
}

export interface MemoryFigure {
  lines: number;
  workerd: ProcessMemory;
  host: ProcessMemory;
  missing: number;
  duplicated: number;
}

const SAMPLE_MS = 10;

export function statusMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Takes a relay that has run nothing yet, so its idle figures are its own. */
export async function benchMemory(relay: BenchRelay, options: { lines: number; runs: number }): Promise<MemoryFigure> {
  const pids = { workerd: relay.workerdPid(), host: relay.hostPid };
  await readStream(await relay.startRun(`bench-memory-warmup-${Date.now()}`, "100"), 100);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = { workerd: statusMiB(pids.workerd, "VmRSS"), host: statusMiB(pids.host, "VmRSS") };
  const peaks = { workerd: [] as number[], host: [] as number[] };
  let missing = 0;
  let duplicated = 0;
  for (let run = 0; run < options.runs; run++) {
    const peak = { workerd: 0, host: 0 };
    let lost: unknown = null;
    const sample = () => {
      try {
        peak.workerd = Math.max(peak.workerd, statusMiB(pids.workerd, "VmRSS"));
        peak.host = Math.max(peak.host, statusMiB(pids.host, "VmRSS"));
      } catch (error) {
        lost ??= error;
      }
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    try {
      const reading = await readStream(await relay.startRun(`bench-memory-${Date.now()}-${run}`, String(options.lines)), options.lines, { deltas: true });
      const check = checkExactlyOnce(reading.deltaCounts, options.lines);
      missing += check.missing;
      duplicated += check.duplicated;
    } finally {
      clearInterval(sampler);
    }
    sample();
    if (lost) {
      // wrangler dev restarts workerd when a source file changes under it.
      throw new Error(`a measured process went away during the run (${String(lost)}); was a source file edited?\n${relay.output()}`);
    }
    peaks.workerd.push(peak.workerd);
    peaks.host.push(peak.host);
  }
  const of = (name: "workerd" | "host"): ProcessMemory => ({
    idleMiB: idle[name],
    peakMiB: median(peaks[name]),
    highWaterMiB: statusMiB(pids[name], "VmHWM"),
  });
  return { lines: options.lines, workerd: of("workerd"), host: of("host"), missing, duplicated };
}
