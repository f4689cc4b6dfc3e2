import { httpStatusOf } from "../api/http-error.ts";

/**
 * Whether a failed attempt to reach a run's stream is worth repeating: no answer at all (network
 * down, the browser reports a TypeError) or a server-side failure (5xx). A 4xx will not change.
 */
export function isRetryableStreamError(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined) return error instanceof TypeError;
  return status >= 500;
}
