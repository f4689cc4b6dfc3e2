// The machine the figures came from, for the report.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg, totalmem } from "node:os";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  wrangler: string;
  workerd: string;
  /** The 1-minute load average when the bench started: other work on the machine skews the figures. */
  loadAtStart: number;
}

export function describeMachine(): Machine {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  // The workerd that wrangler itself depends on is the one `wrangler dev` runs.
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler"));
  return {
    cpus: availableParallelism(),
    cpuModel,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    wrangler: (fromWrangler("wrangler/package.json") as { version: string }).version,
    workerd: (fromWrangler("workerd/package.json") as { version: string }).version,
    loadAtStart: loadavg()[0]!,
  };
}
