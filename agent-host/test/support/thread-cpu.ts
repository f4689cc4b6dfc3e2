// CPU time of a process's main thread, from Linux's /proc (user + system). openclaw's gateway runs
// every turn's own work on its main thread (Node's event loop), so that thread's CPU per turn bounds
// how many turns it can finish side by side, whatever the number of cores.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let msPerTick: number | undefined;

/** The kernel counts in clock ticks (USER_HZ, 100 a second on Linux almost everywhere). */
function tickMs(): number {
  if (msPerTick === undefined) {
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    msPerTick = 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
  }
  return msPerTick;
}

/** CPU ms the main thread of `pid` has used so far; NaN where /proc cannot say (not Linux, gone). */
export function mainThreadCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces, so count from the last ")":
    // utime and stime are fields 14 and 15 of the line, 11 and 12 of what follows it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * tickMs();
  } catch {
    return Number.NaN;
  }
}
