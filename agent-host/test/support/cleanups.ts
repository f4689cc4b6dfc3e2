// What a test started, undone after it in reverse order (also when it failed): one list per test file.
import { afterEach } from "vitest";

export type Cleanup = () => unknown;

/** Registers the file's afterEach; the returned function adds something to undo after the current test. */
export function cleanupAfterEach(): (cleanup: Cleanup) => void {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}
