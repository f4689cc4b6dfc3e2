// CPU time of a process's main thread, from Linux's /proc (user + system). openclaw's gateway runs
// every turn's own work on its main thread (Node's event loop), so that thread's CPU per turn bounds
// how many turns it can finish side by side, whatever the number of cores.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let msPerTick: number | undefined;

/** The kernel counts in clock ticks (USER_HZ, 100 a second on Linux almost everywhere). */
export function tickMs(): number {
  if (msPerTick === undefined) {
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    msPerTick = 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
  }
  return msPerTick;
}

/** The CPU ticks in a /proc `stat` line (a process's or a thread's): its own, and its reaped children's. */
export function statCpuTicks(stat: string): { own: number; children: number } {
  // The command name (field 2) is in parentheses and may hold spaces, so count from the last ")":
  // utime, stime, cutime, cstime are fields 14 to 17 of the line, 11 to 14 of what follows it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return { own: fields[11]! + fields[12]!, children: fields[13]! + fields[14]! };
}

/** CPU ms the main thread of `pid` has used so far; NaN where /proc cannot say (not Linux, gone). */
export function mainThreadCpuMs(pid: number): number {
  try {
    return statCpuTicks(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")).own * tickMs();
  } catch {
    return Number.NaN;
  }
}
