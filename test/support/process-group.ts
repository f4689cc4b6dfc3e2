// Child processes started in their own process group, so stopping one stops everything it started
// (wrangler starts workerd; the agent host starts agents).
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { once } from "node:events";

export interface GroupProcess {
  child: ChildProcess;
  /** What it wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Signals the whole group and waits for the leader to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): GroupProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
