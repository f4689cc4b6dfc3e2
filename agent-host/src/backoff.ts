// Reconnect delays: exponential, capped, with jitter so that many hosts cut off at once do not all
// come back in the same instant.

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { minMs: 250, maxMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry): the exponential step
 * min * 2^attempt, capped at max, then a random point in its upper half.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
