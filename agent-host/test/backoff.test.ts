import { describe, expect, it } from "vitest";
import { backoffDelay, RECONNECT_BACKOFF } from "../src/backoff.ts";

describe("backoffDelay", () => {
  it("doubles from 250 ms up to the 10 s cap, jittered within the upper half of each step", () => {
    const low = (attempt: number) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 0);
    const high = (attempt: number) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6].map(high)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000]);
    expect([0, 1, 2, 6, 50].map(low)).toEqual([125, 250, 500, 5000, 5000]);
    expect(high(1000)).toBe(10_000);
  });

  it("spreads hosts that retry at the same moment", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, RECONNECT_BACKOFF)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });
});
