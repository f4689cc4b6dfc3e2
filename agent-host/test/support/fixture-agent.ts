// Paths and helpers for the fixture agent shared with the end-to-end tests.
import { fileURLToPath } from "node:url";

export const REPLAY_AGENT = fileURLToPath(new URL("../../../test/fixtures/replay-agent.mjs", import.meta.url));
export const OPENCLAW_EVENTS_DIR = fileURLToPath(new URL("../../../test/fixtures/openclaw-events/", import.meta.url));

/** argv for the fixture agent with the given options. */
export const replayAgent = (...args: string[]): string[] => [process.execPath, REPLAY_AGENT, ...args];

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolve once `check` is true, polling; reject with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
