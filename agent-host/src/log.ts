// Log lines for a person reading a terminal or a journal: a timestamp and one sentence per event.

export type Log = (message: string) => void;

export function createLog(write: (text: string) => void = (text) => process.stderr.write(text)): Log {
  return (message) => write(`${new Date().toISOString()} ${message}\n`);
}

/** Terminal colour codes, removed from a program's stderr before a person reads it in one line. */
export const ANSI_ESCAPE = /\x1B\[[0-9;]*[A-Za-z]/g;

/** "1.2 s" / "340 ms": durations as people read them. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "1 run", "3 runs". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
