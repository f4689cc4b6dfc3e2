// The cost benchmark: runs one session at a time on the metered Worker (metered/worker.ts), reading its
// usage totals before each run starts and after the run's events were compacted, so each run's figure
// holds everything it caused: its event rows, the running answer's rewrites, the run record, the hub's
// assignment, the index entry, and the compaction. Paced runs also give line -> browser latency.
import { fileURLToPath } from "node:url";
import { costOf, type CostFigure, type RunUsage } from "./cost.ts";
import { median, percentile } from "./figures.ts";
import type { BenchRelay } from "./relay.ts";
import { now, type StreamReading } from "./stream-probe.ts";
import { integrityOf, runWithReaders, sessionId } from "./streaming.ts";

export const METERED_WORKER = fileURLToPath(new URL("metered/worker.ts", import.meta.url));
/** Short, so a run's events are compacted (and that counted) before the next run starts. */
export const COST_RUN_GRACE_MS = 1_000;
/** The bench agent's lines besides its deltas: lifecycle start and end. */
const LIFECYCLE_LINES = 2;

interface UsageTotals {
  rowsWritten: RunUsage["rowsWritten"];
  byStatement: Record<string, number>;
  sessionSocketMessages: number;
}

export interface CostCase {
  label: string;
  lines: number;
  /** Lines per second; none: as fast as the agent writes. */
  rate?: number;
}

export interface CostResult extends CostFigure {
  label: string;
  /** Medians over the runs of each run's p50 and p99 line -> browser latency (paced runs). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Medians over the runs: the first delta's arrival after the POST was sent, and after the agent wrote it. */
  firstDeltaAfterPostMs: number;
  firstDeltaAfterWriteMs: number;
  /** Rows written by statement in the last run, most first. */
  byStatement: [string, number][];
  missing: number;
  duplicated: number;
}

async function totals(relay: BenchRelay): Promise<UsageTotals> {
  const response = await fetch(`${relay.edge.url}/api/__bench/usage`);
  if (!response.ok) throw new Error(`GET /api/__bench/usage: ${response.status} (is the relay running the metered Worker?)`);
  return (await response.json()) as UsageTotals;
}

export async function benchCost(relay: BenchRelay, cases: readonly CostCase[], runs: number): Promise<CostResult[]> {
  const results: CostResult[] = [];
  for (const costCase of cases) {
    const usages: RunUsage[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    let missing = 0;
    let duplicated = 0;
    let byStatement: [string, number][] = [];
    const afterPost: number[] = [];
    const afterWrite: number[] = [];
    for (let run = 0; run < runs; run++) {
      const before = await totals(relay);
      const spec = costCase.rate === undefined ? String(costCase.lines) : `${costCase.lines}/${costCase.rate}`;
      const postedAt = now();
      const [reading] = (await runWithReaders(relay, sessionId("cost"), spec, costCase.lines, 1, costCase.rate !== undefined)) as [StreamReading];
      afterPost.push(reading.firstArrivedAt! - postedAt);
      afterWrite.push(reading.firstArrivedAt! - reading.firstWrittenAt!);
      const integrity = integrityOf([reading], costCase.lines);
      missing += integrity.missing + integrity.disordered;
      duplicated += integrity.duplicated;
      if (costCase.rate !== undefined) {
        p50.push(percentile(reading.latencies, 50));
        p99.push(percentile(reading.latencies, 99));
      }
      // The compaction alarm fires COST_RUN_GRACE_MS after the end; the hub and the index are told at the end.
      await new Promise((resolve) => setTimeout(resolve, COST_RUN_GRACE_MS + 1_500));
      const after = await totals(relay);
      byStatement = Object.entries(after.byStatement)
        .map(([statement, rows]): [string, number] => [statement, rows - (before.byStatement[statement] ?? 0)])
        .filter(([, rows]) => rows > 0)
        .sort((a, b) => b[1] - a[1]);
      usages.push({
        lines: costCase.lines + LIFECYCLE_LINES,
        rowsWritten: {
          session: after.rowsWritten.session - before.rowsWritten.session,
          hub: after.rowsWritten.hub - before.rowsWritten.hub,
          index: after.rowsWritten.index - before.rowsWritten.index,
        },
        socketMessages: after.sessionSocketMessages - before.sessionSocketMessages,
      });
    }
    results.push({
      label: costCase.label,
      ...costOf(usages),
      p50Ms: p50.length > 0 ? median(p50) : null,
      p99Ms: p99.length > 0 ? median(p99) : null,
      byStatement,
      firstDeltaAfterPostMs: median(afterPost),
      firstDeltaAfterWriteMs: median(afterWrite),
      missing,
      duplicated,
    });
  }
  return results;
}
