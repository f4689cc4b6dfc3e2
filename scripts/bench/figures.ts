// The benchmarks' arithmetic (pure): reading bench-agent deltas back, medians and percentiles,
// exactly-once checks.

/**
 * A bench-agent delta is "<index>@<epoch ms> " (see bench-agent.mjs); a text-delta chunk's JSON holds
 * one or more of them (the edge merges a frame's adjacent deltas).
 */
const TEXT_DELTA_CHUNK = /\{"type":"text-delta","id":"[^"]*","delta":"/;
const DELTA_IN_TEXT = /(\d+)@\d+(?:\.\d+)? /g;

/**
 * Calls `each` with the number and write time of every bench delta in a text-delta chunk's JSON (never
 * for other chunks). A scan with indexOf rather than a regular expression per delta: the reader shares
 * the 2 cores with the relay, and matchAll cost it ~0.5 µs a line.
 */
export function forEachBenchDelta(chunkJson: string, each: (index: number, writtenAt: number) => void): void {
  const chunk = TEXT_DELTA_CHUNK.exec(chunkJson);
  if (!chunk) return;
  const end = chunkJson.lastIndexOf('"');
  for (let at = chunk.index + chunk[0].length; at < end; ) {
    const atSign = chunkJson.indexOf("@", at);
    const space = atSign < 0 ? -1 : chunkJson.indexOf(" ", atSign);
    if (space < 0 || space > end) return;
    each(Number(chunkJson.slice(at, atSign)), Number(chunkJson.slice(atSign + 1, space)));
    at = space + 1;
  }
}

/** The delta numbers in a message's text, in order. */
export function deltaIndexesInText(text: string): number[] {
  return Array.from(text.matchAll(DELTA_IN_TEXT), (match) => Number(match[1]));
}

/** Whether `indexes` is exactly 1..expected, and if not, what is missing or repeated. */
export function checkExactlyOnce(counts: ArrayLike<number>, expected: number): { missing: number; duplicated: number } {
  let missing = 0;
  let duplicated = 0;
  for (let i = 1; i <= expected; i++) {
    const count = counts[i] ?? 0;
    if (count === 0) missing += 1;
    else duplicated += count - 1;
  }
  return { missing, duplicated };
}

/** Per-index arrival counts of a list of delta numbers (index 0 unused). */
export function countIndexes(indexes: readonly number[], expected: number): number[] {
  const counts = new Array<number>(expected + 1).fill(0);
  for (const index of indexes) if (index >= 1 && index <= expected) counts[index]! += 1;
  return counts;
}

/** The value below which `p` percent of `values` lie (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
