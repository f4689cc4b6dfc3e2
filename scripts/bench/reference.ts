// The in-process reference's throughput, run beside the relay's in the same bench (issue 12: "measured
// side by side in one run, the same 100,000-delta agent"). The reference is not part of this project:
// `--reference <dir>` names its measuring harness (../shared/baseline on the project's machines: its
// bench.ts runs the reference module with gen-agent.mjs and prints {"linesPerSec": N}).
//
// Its agent (gen-agent.mjs) runs under `node` from the PATH, as its README says: in a shell here that is
// the machine's Node 20, under `npm run` the project's Node 24, and the agent is faster on Node 24
// (~300k lines/s against ~240k). So the bench runs it under both when they differ, and also with the
// relay's own agent. It also times each agent alone: the most that any reader of that agent, in-process
// or not, could move.
import { execFile, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** The Node binaries the reference's agent can run under: this bench's, then the PATH's outside node_modules. */
function referenceAgentNodes(): { node: string; version: string }[] {
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

/** An agent for the reference's harness: a Node binary and its script, with a name for the table. */
export interface ReferenceAgent {
  label: string;
  argv: [node: string, script: string];
}

/**
 * The agents the reference runs with: its own gen-agent.mjs under each Node above (one `write` a line),
 * and the relay's own agent, bench-agent.mjs (64 KiB writes), so one row compares the two with the very
 * same agent. gen-agent.mjs is resolved by the harness in its own directory.
 */
export function referenceAgents(benchAgent: string): ReferenceAgent[] {
  const nodes = referenceAgentNodes();
  return [
    ...nodes.map(({ node, version }): ReferenceAgent => ({ label: `its gen-agent.mjs on Node ${version}`, argv: [node, "gen-agent.mjs"] })),
    { label: `the relay's bench-agent.mjs on Node ${nodes[0]!.version}`, argv: [process.execPath, benchAgent] },
  ];
}

/** One run of the reference: `lines` deltas from `agent` to one in-process subscriber, lines/s. */
export async function referenceThroughput(dir: string, lines: number, agent: ReferenceAgent): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "agent-relay-bench-reference-"));
  try {
    // Asynchronously: this process reads the relay's output pipes, which must not stall meanwhile.
    const { stdout: output } = await promisify(execFile)(process.execPath, ["bench.ts", "throughput", String(lines)], {
      cwd: resolve(dir),
      env: { ...process.env, HOME: home, BASELINE_AGENT: JSON.stringify(agent.argv) },
      encoding: "utf8",
    });
    const figure = JSON.parse(output.trim().split("\n").at(-1)!) as { linesPerSec?: unknown };
    if (typeof figure.linesPerSec !== "number") throw new Error(`no linesPerSec in ${output}`);
    return figure.linesPerSec;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The agent alone: `lines` deltas from `agent` (run in `dir`, as the harness runs it) into a reader that
 * only counts newlines, lines/s from spawn to its end, as the harness's clock runs. No reader of its
 * output, in-process or not, can move its lines faster.
 */
export async function agentAloneThroughput(dir: string, lines: number, agent: ReferenceAgent): Promise<number> {
  const started = performance.now();
  const child = spawn(agent.argv[0], [agent.argv[1], String(lines)], { cwd: resolve(dir), stdio: ["ignore", "pipe", "inherit"] });
  let newlines = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) newlines += 1;
  });
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0 || newlines < lines) throw new Error(`${agent.argv.join(" ")} exited ${code} after ${newlines} lines`);
  return lines / ((performance.now() - started) / 1000);
}
