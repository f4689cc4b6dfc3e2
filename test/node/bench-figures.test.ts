// The arithmetic behind `npm run bench`'s table (scripts/bench/figures.ts, cost.ts): a wrong percentile
// or a miscounted line would publish a wrong figure.
import { describe, expect, it } from "vitest";
import { costOf } from "../../scripts/bench/cost.ts";
import { checkExactlyOnce, countIndexes, deltaIndexesInText, median, forEachBenchDelta, percentile } from "../../scripts/bench/figures.ts";

describe("bench figures", () => {
  it("takes percentiles by nearest rank, whatever the order of the values", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(median([3, 1, 2])).toBe(2);
    expect(() => percentile([], 50)).toThrow(/no values/);
  });

  const parseBenchDeltas = (chunkJson: string) => {
    const deltas: { index: number; writtenAt: number }[] = [];
    forEachBenchDelta(chunkJson, (index, writtenAt) => deltas.push({ index, writtenAt }));
    return deltas;
  };

  it("reads the bench deltas' numbers and write times out of a text-delta chunk (one or merged), and nothing else", () => {
    expect(parseBenchDeltas('{"type":"text-delta","id":"r-text-1","delta":"17@1795915639275.125 "}')).toEqual([{ index: 17, writtenAt: 1795915639275.125 }]);
    expect(parseBenchDeltas('{"type":"text-delta","id":"r-text-1","delta":"17@1795915639275.125 18@1795915639275.5 "}')).toEqual([
      { index: 17, writtenAt: 1795915639275.125 },
      { index: 18, writtenAt: 1795915639275.5 },
    ]);
    expect(parseBenchDeltas('{"type":"text-start","id":"r-text-1"}')).toEqual([]);
    expect(parseBenchDeltas('{"type":"reasoning-delta","id":"x","delta":"17@1795915639275.125 "}')).toEqual([]);
  });

  it("finds lost and repeated lines in what a reader or a stored answer holds", () => {
    const stored = deltaIndexesInText("1@10.5 2@11.0 2@11.0 4@12.25 ");
    expect(stored).toEqual([1, 2, 2, 4]);
    expect(checkExactlyOnce(countIndexes(stored, 4), 4)).toEqual({ missing: 1, duplicated: 1 });
    expect(checkExactlyOnce(countIndexes([1, 2, 3], 3), 3)).toEqual({ missing: 0, duplicated: 0 });
  });

  it("adds up measured rows and messages per 1,000 lines, and what a day on Workers Free allows", () => {
    // Two runs of 1,002 lines: 40 and 60 rows written in all, 500 and 700 WebSocket messages, one reader.
    const run = (session: number, socketMessages: number) => ({ lines: 1002, rowsWritten: { session, hub: 2, index: 3 }, socketMessages });
    const cost = costOf([run(35, 500), run(55, 700)]);
    expect(cost.rowsWrittenPer1000).toBeCloseTo((100 * 1000) / 2004);
    expect(cost.sessionRowsPer1000).toBeCloseTo((90 * 1000) / 2004);
    expect(cost.socketMessagesPer1000).toBeCloseTo((1200 * 1000) / 2004);
    // Each message is 1/20 of a request; 7 requests every run makes.
    expect(cost.requestsPer1000).toBeCloseTo(((1200 / 20 + 14) * 1000) / 2004);
    // 50 rows and 37 requests per run: rows are the tighter of the two daily limits.
    expect(cost.answersPerDayFree).toBe(2000);
    expect(() => costOf([])).toThrow(/no runs/);
  });
});
