// Benchmarks 1, 2, 3 and 5: runs of the bench agent through the agent host and local workerd, read by
// instrumented SSE readers (stream-probe.ts). Every reading is checked: each reader reached [DONE] and
// saw every delta exactly once; the counts of missing and repeated deltas are part of the results.
import { cpuMeter, cpuPer1000Lines, type CpuSplit } from "./cpu.ts";
import { checkExactlyOnce, countIndexes, deltaIndexesInText, median, percentile } from "./figures.ts";
import type { BenchRelay } from "./relay.ts";
import { now, readStream, type StreamReading } from "./stream-probe.ts";


export interface Integrity {
  /** Deltas some reader (or the stored message) never got, and extra copies, summed over all runs. */
  missing: number;
  duplicated: number;
  /** Readers that did not reach [DONE] or saw event ids out of order; stored answers out of order. */
  disordered: number;
}

export interface ThroughputFigure extends Integrity {
  subscribers: number;
  /** Median over runs of lines / (last reader's [DONE] - the agent's first delta written). */
  linesPerSecond: number;
  perRun: number[];
  /** CPU ms per 1,000 lines, by process (the late readers of `replay` not included). */
  cpu: CpuSplit;
  /** When measured: median ms for a reader that attaches after the run ended to read all of it. */
  replayMs?: number;
  replayPerRun?: number[];
}

export interface LatencyFigure extends Integrity {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ScaleFigure extends Integrity {
  sessions: number;
  linesPerSession: number;
  rate?: number;
  totalLinesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms per 1,000 lines, by process (the agents include starting 50 Node processes). */
  cpu: CpuSplit;
}

const RUN_TIMEOUT_MS = 180_000;
let sessionCounter = 0;

export function sessionId(kind: string): string {
  return `bench-${kind}-${Date.now().toString(36)}-${++sessionCounter}`;
}

/**
 * Starts a run and reads it with `subscribers` readers: the POST's own stream, which also reads the
 * deltas (their content and write times), then GET /stream for the others, which check event ids only
 * (so ten readers in this one process cost the machine little); see `integrityOf`.
 */
export async function runWithReaders(relay: BenchRelay, id: string, spec: string, lines: number, subscribers: number, latencies = false): Promise<StreamReading[]> {
  const signal = AbortSignal.timeout(RUN_TIMEOUT_MS);
  try {
    const first = await relay.startRun(id, spec, signal);
    const readings = [readStream(first, lines, { deltas: true, latencies })];
    for (let i = 1; i < subscribers; i++) readings.push(relay.attach(id, signal).then((response) => readStream(response, lines)));
    return await Promise.all(readings);
  } catch (error) {
    throw new Error(`session ${id}: ${String(error)}\n${relay.output()}`);
  }
}

const intact = (): Integrity => ({ missing: 0, duplicated: 0, disordered: 0 });

/**
 * The first reading read every delta: each must have arrived exactly once. The others read ids only:
 * each must have reached [DONE] with the same ids, in order, as the first.
 */
export function integrityOf([first, ...others]: StreamReading[], lines: number): Integrity {
  const total = { ...checkExactlyOnce(first!.deltaCounts, lines), disordered: first!.done && first!.idsInOrder ? 0 : 1 };
  for (const other of others) addIntegrity(total, sameAsFirst(first!, other));
  return total;
}

function sameAsFirst(first: StreamReading, other: StreamReading): Integrity {
  const same = other.done && other.idsInOrder && other.events === first.events && other.lastId === first.lastId;
  return same ? intact() : { missing: Math.max(0, first.events - other.events), duplicated: Math.max(0, other.events - first.events), disordered: 1 };
}

function addIntegrity(total: Integrity, more: Integrity): void {
  total.missing += more.missing;
  total.duplicated += more.duplicated;
  total.disordered += more.disordered;
}

/** Throughput with `subscribers` readers; with `replay`, also a late reader after each run. */
export async function benchThroughput(
  relay: BenchRelay,
  options: { lines: number; subscribers: number; runs: number; replay: boolean },
): Promise<ThroughputFigure> {
  const { lines, subscribers } = options;
  const perRun: number[] = [];
  const replayPerRun: number[] = [];
  const cpu: CpuSplit[] = [];
  const integrity = intact();
  for (let run = 0; run < options.runs; run++) {
    const id = sessionId(`throughput${subscribers}`);
    const meter = cpuMeter(relay);
    const readings = await runWithReaders(relay, id, String(lines), lines, subscribers);
    cpu.push(meter());
    addIntegrity(integrity, integrityOf(readings, lines));
    const started = readings[0]!.firstWrittenAt ?? NaN;
    const ended = Math.max(...readings.map((reading) => reading.endedAt));
    perRun.push(lines / ((ended - started) / 1000));
    if (options.replay) {
      const attachedAt = now();
      const late = await readStream(await relay.attach(id, AbortSignal.timeout(RUN_TIMEOUT_MS)), lines);
      addIntegrity(integrity, sameAsFirst(readings[0]!, late));
      replayPerRun.push(late.endedAt - attachedAt);
    }
  }
  return {
    subscribers,
    linesPerSecond: median(perRun),
    perRun,
    cpu: cpuPer1000Lines(cpu, lines * options.runs),
    ...(options.replay ? { replayMs: median(replayPerRun), replayPerRun } : {}),
    ...integrity,
  };
}

/** Latency at a set pace, one reader: p50 and p99 of each run, median over runs. */
export async function benchLatency(relay: BenchRelay, options: { lines: number; rate: number; runs: number }): Promise<LatencyFigure> {
  const p50: number[] = [];
  const p99: number[] = [];
  const max: number[] = [];
  const integrity = intact();
  for (let run = 0; run < options.runs; run++) {
    const id = sessionId("latency");
    const [reading] = await runWithReaders(relay, id, `${options.lines}/${options.rate}`, options.lines, 1, true);
    addIntegrity(integrity, integrityOf([reading!], options.lines));
    p50.push(percentile(reading!.latencies, 50));
    p99.push(percentile(reading!.latencies, 99));
    max.push(Math.max(...reading!.latencies));
  }
  return { rate: options.rate, p50Ms: median(p50), p99Ms: median(p99), maxMs: median(max), ...integrity };
}

/**
 * Many sessions at once, each as fast as it goes or, with `rate`, at that many lines per second;
 * checks the streams and the stored messages.
 */
export async function benchScale(relay: BenchRelay, options: { sessions: number; lines: number; runs: number; rate?: number }): Promise<ScaleFigure> {
  const { sessions, lines } = options;
  const spec = options.rate === undefined ? String(lines) : `${lines}/${options.rate}`;
  const throughput: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  const cpu: CpuSplit[] = [];
  const integrity = intact();
  for (let run = 0; run < options.runs; run++) {
    const ids = Array.from({ length: sessions }, () => sessionId("scale"));
    const meter = cpuMeter(relay);
    const readings = (await Promise.all(ids.map((id) => runWithReaders(relay, id, spec, lines, 1, true)))).map(([reading]) => reading!);
    cpu.push(meter());
    for (const reading of readings) addIntegrity(integrity, integrityOf([reading], lines));
    for (const id of ids) addIntegrity(integrity, await storedIntegrity(relay, id, lines));
    const started = Math.min(...readings.map((reading) => reading.firstWrittenAt ?? Infinity));
    const ended = Math.max(...readings.map((reading) => reading.endedAt));
    throughput.push((sessions * lines) / ((ended - started) / 1000));
    const latencies = readings.flatMap((reading) => reading.latencies);
    p50.push(percentile(latencies, 50));
    p99.push(percentile(latencies, 99));
  }
  return { sessions, linesPerSession: lines, rate: options.rate, totalLinesPerSecond: median(throughput), p50Ms: median(p50), p99Ms: median(p99), cpu: cpuPer1000Lines(cpu, sessions * lines * options.runs), ...integrity };
}

/** The persisted answer (GET /messages) holds every delta exactly once, in order. */
async function storedIntegrity(relay: BenchRelay, id: string, lines: number): Promise<Integrity> {
  const answer = (await relay.messages(id)).at(-1);
  const text = answer?.role === "assistant" ? answer.parts.map((part) => (part.type === "text" ? part.text : "")).join("") : "";
  const indexes = deltaIndexesInText(text);
  const inOrder = indexes.every((index, i) => index === i + 1);
  return { ...checkExactlyOnce(countIndexes(indexes, lines), lines), disordered: inOrder ? 0 : 1 };
}
