// The in-process reference's throughput, run beside the relay's in the same bench (issue 12: "measured
// side by side in one run, the same 100,000-delta agent"). The reference is not part of this project:
// `--reference <dir>` names its measuring harness (../shared/baseline on the project's machines: its
// bench.ts runs the reference module with gen-agent.mjs and prints {"linesPerSec": N}).
//
// Its agent (gen-agent.mjs) runs under `node` from the PATH, as its README says: in a shell here that is
// the machine's Node 20, under `npm run` the project's Node 24, and the agent is faster on Node 24
// (~300k lines/s against ~240k). So the bench runs it under both when they differ.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** The Node binaries the reference's agent can run under: this bench's, then the PATH's outside node_modules. */
export function referenceAgentNodes(): { node: string; version: string }[] {
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir && !dir.includes("node_modules"))
    .map((dir) => join(dir, "node"))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const nodes = [process.execPath, ...(onPath ? [onPath] : [])];
  const described = nodes.map((node) => ({ node, version: execFileSync(node, ["--version"], { encoding: "utf8" }).trim() }));
  return described.filter((entry, i) => described.findIndex((other) => other.version === entry.version) === i);
}

/** One run of the reference: `lines` deltas from its agent (under `agentNode`) to one in-process subscriber, lines/s. */
export async function referenceThroughput(dir: string, lines: number, agentNode: string): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "agent-relay-bench-reference-"));
  try {
    // Asynchronously: this process reads the relay's output pipes, which must not stall meanwhile.
    const { stdout: output } = await promisify(execFile)(process.execPath, ["bench.ts", "throughput", String(lines)], {
      cwd: resolve(dir),
      env: { ...process.env, HOME: home, BASELINE_AGENT: JSON.stringify([agentNode, "gen-agent.mjs"]) },
      encoding: "utf8",
    });
    const figure = JSON.parse(output.trim().split("\n").at(-1)!) as { linesPerSec?: unknown };
    if (typeof figure.linesPerSec !== "number") throw new Error(`no linesPerSec in ${output}`);
    return figure.linesPerSec;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
