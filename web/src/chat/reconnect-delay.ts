/** Wait before the n-th (0-based) attempt to resume a cut stream: 0.5 s doubling up to 8 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000);
}
