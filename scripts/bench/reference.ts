// The in-process reference's throughput, run beside the relay's in the same bench (issue 12: "measured
// side by side in one run, the same 100,000-delta agent"). The reference is not part of this project:
// `--reference <dir>` names its measuring harness (../shared/baseline on the project's machines: its
// bench.ts runs the reference module with gen-agent.mjs and prints {"linesPerSec": N}).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** One run of the reference: `lines` deltas from its agent to one in-process subscriber, lines/s. */
export function referenceThroughput(dir: string, lines: number): number {
  const home = mkdtempSync(join(tmpdir(), "agent-relay-bench-reference-"));
  try {
    const output = execFileSync(process.execPath, ["bench.ts", "throughput", String(lines)], {
      cwd: resolve(dir),
      env: { ...process.env, HOME: home, BASELINE_AGENT: JSON.stringify([process.execPath, "gen-agent.mjs"]) },
      encoding: "utf8",
    });
    const figure = JSON.parse(output.trim().split("\n").at(-1)!) as { linesPerSec?: unknown };
    if (typeof figure.linesPerSec !== "number") throw new Error(`no linesPerSec in ${output}`);
    return figure.linesPerSec;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
