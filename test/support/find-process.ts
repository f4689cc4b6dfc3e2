// Finds processes by a marker in their command line (/proc), e.g. the agent a test wants to kill.
import { readdirSync, readFileSync } from "node:fs";

export function pidsWithArgument(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.some((arg) => arg.includes(marker))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
