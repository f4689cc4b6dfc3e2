// CPU time spent by each part of the system during a benchmark, from /proc (user + system, in ms;
// the kernel counts in ticks of 10 ms (USER_HZ 100), so sum over enough work). The agents are the host's children:
// their time shows in the host's "children" counters once it has reaped them.
import { readFileSync } from "node:fs";
import { statCpuTicks, tickMs } from "../../agent-host/test/support/thread-cpu.ts";
import type { BenchRelay } from "./relay.ts";

export interface CpuSplit {
  workerd: number;
  /** wrangler dev's proxy in front of workerd: not there when deployed. */
  devProxy: number;
  host: number;
  agents: number;
  /** This process: the SSE readers. */
  readers: number;
}

function ticks(pid: number): { own: number; children: number } {
  return statCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** Starts counting; the returned function gives the CPU ms used by each part since. */
export function cpuMeter(relay: BenchRelay): () => CpuSplit {
  const msPerTick = tickMs();
  const workerd = relay.workerdPid();
  const devProxy = relay.devProxyPid();
  const read = () => {
    const host = ticks(relay.hostPid);
    const self = process.cpuUsage();
    return { workerd: ticks(workerd).own * msPerTick, devProxy: ticks(devProxy).own * msPerTick, host: host.own * msPerTick, agents: host.children * msPerTick, readers: (self.user + self.system) / 1000 };
  };
  const start = read();
  return () => {
    const end = read();
    return { workerd: end.workerd - start.workerd, devProxy: end.devProxy - start.devProxy, host: end.host - start.host, agents: end.agents - start.agents, readers: end.readers - start.readers };
  };
}

/** The summed CPU of several measurements, per 1,000 agent lines. */
export function cpuPer1000Lines(splits: readonly CpuSplit[], lines: number): CpuSplit {
  const per = (pick: (split: CpuSplit) => number) => (splits.reduce((sum, split) => sum + pick(split), 0) * 1000) / lines;
  return { workerd: per((s) => s.workerd), devProxy: per((s) => s.devProxy), host: per((s) => s.host), agents: per((s) => s.agents), readers: per((s) => s.readers) };
}
