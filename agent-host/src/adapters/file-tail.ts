// Follow a file another process appends lines to, from its start, and hand its complete lines on.
// Woken by file-change notifications, with a slow poll as a fallback where those are unreliable.
import { watch, type FSWatcher } from "node:fs";
import { open } from "node:fs/promises";
import { LineSplitter } from "../line-splitter.ts";

const READ_BYTES = 64 * 1024;
const POLL_MS = 100;

export interface FileTail {
  /** Stop / restart reading (backpressure: the file keeps growing on disk, not in memory). */
  pause(): void;
  resume(): void;
  /** The writer is done: read to the end of the file (when not paused), then stop. */
  finish(): Promise<void>;
}

export function tailFile(path: string, onLines: (lines: Buffer[]) => void): FileTail {
  const splitter = new LineSplitter();
  let paused = false;
  let writerDone = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const nextChange = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(notify, POLL_MS);
    });

  const done = (async () => {
    const handle = await open(path, "r");
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(path, notify);
      watcher.on("error", () => watcher?.close()); // the poll still works
    } catch {
      watcher = undefined;
    }
    try {
      let position = 0;
      for (;;) {
        if (paused) {
          await nextChange();
          continue;
        }
        const buffer = Buffer.allocUnsafe(READ_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, position);
        if (bytesRead > 0) {
          position += bytesRead;
          const lines = splitter.push(buffer.subarray(0, bytesRead));
          if (lines.length > 0) onLines(lines);
          continue;
        }
        if (writerDone) break;
        await nextChange();
      }
      const last = splitter.end();
      if (last.length > 0) onLines(last);
    } finally {
      watcher?.close();
      await handle.close();
    }
  })();

  return {
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      notify();
    },
    finish() {
      writerDone = true;
      notify();
      return done;
    },
  };
}
