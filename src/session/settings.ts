// Timings of a session object, from the Worker's vars (wrangler.jsonc "vars"; tests override them).
import { RUN_SILENCE_MS } from "../../protocol/limits.ts";

export interface SessionSettings {
  /** How long a finished run stays replayable before its events are compacted away. */
  runGraceMs: number;
  /** How long a run waits for its host to come back before it ends with an error. */
  hostGraceMs: number;
  /** How long an abort waits for the host to confirm the agent stopped (SIGKILL comes after 5 s). */
  abortGraceMs: number;
  /** How often an idle stream gets a `: keepalive` comment, so proxies never cut it. */
  keepaliveMs: number;
  /**
   * A run socket silent this long belongs to a host that vanished without closing it (it pings every
   * 20 s when idle): it is dropped, and the run waits hostGraceMs for the host as after any drop.
   */
  runSilenceMs: number;
}

export function sessionSettings(env: Env): SessionSettings {
  return {
    runGraceMs: positive(env.RUN_GRACE_MS, 30_000),
    hostGraceMs: positive(env.HOST_GRACE_MS, 60_000),
    abortGraceMs: 10_000,
    keepaliveMs: positive(env.KEEPALIVE_MS, 15_000),
    runSilenceMs: positive(env.RUN_SILENCE_MS, RUN_SILENCE_MS),
  };
}

/** A positive number from a var (tests scale timings down), else the default. */
export function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}
