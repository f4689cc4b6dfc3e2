// The arithmetic behind `npm run bench`'s table (scripts/bench/figures.ts, cost.ts): a wrong percentile
// or a miscounted line would publish a wrong figure.
import { describe, expect, it } from "vitest";
import { costPer1000Lines } from "../../scripts/bench/cost.ts";
import { checkExactlyOnce, countIndexes, deltaIndexesInText, median, parseBenchDelta, percentile } from "../../scripts/bench/figures.ts";

describe("bench figures", () => {
  it("takes percentiles by nearest rank, whatever the order of the values", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(median([3, 1, 2])).toBe(2);
    expect(() => percentile([], 50)).toThrow(/no values/);
  });

  it("reads a bench delta's number and write time out of a text-delta chunk, and nothing else", () => {
    expect(parseBenchDelta('{"type":"text-delta","id":"r-text-1","delta":"17@1795915639275.125 "}')).toEqual({ index: 17, writtenAt: 1795915639275.125 });
    expect(parseBenchDelta('{"type":"text-start","id":"r-text-1"}')).toBeNull();
    expect(parseBenchDelta('{"type":"reasoning-delta","id":"x","delta":"17@1795915639275.125 "}')).toBeNull();
  });

  it("finds lost and repeated lines in what a reader or a stored answer holds", () => {
    const stored = deltaIndexesInText("1@10.5 2@11.0 2@11.0 4@12.25 ");
    expect(stored).toEqual([1, 2, 2, 4]);
    expect(checkExactlyOnce(countIndexes(stored, 4), 4)).toEqual({ missing: 1, duplicated: 1 });
    expect(checkExactlyOnce(countIndexes([1, 2, 3], 3), 3)).toEqual({ missing: 0, duplicated: 0 });
  });

  it("derives rows written and requests per 1,000 lines from the run log's rows", () => {
    // 2,002 lines in 10 frames: 12 run-log rows (with the run's first and last), 1 s long, one reader.
    const cost = costPer1000Lines([{ sessionId: "s", lines: 2002, durationMs: 1000, subscribers: 1 }], new Map([["s", 12]]));
    expect(cost.linesPerFrame).toBeCloseTo(200.2);
    expect(cost.runLogRowsPer1000).toBeCloseTo((12 * 1000) / 2002);
    // 12 rows written and deleted again, 1 write of the answer, 8 rows every run has.
    expect(cost.rowsWrittenPer1000).toBeCloseTo(((24 + 1 + 8) * 1000) / 2002);
    // 11 WebSocket messages (10 frames and the exit) at 1/20 each, 7 requests every run has.
    expect(cost.requestsPer1000).toBeCloseTo(((11 / 20 + 7) * 1000) / 2002);
    expect(() => costPer1000Lines([{ sessionId: "t", lines: 1, durationMs: 1, subscribers: 1 }], new Map())).toThrow(/no run log rows/);
  });
});
