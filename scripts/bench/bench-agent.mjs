#!/usr/bin/env node
// The benchmarks' agent: lifecycle start, N assistant deltas, lifecycle end, on stdout, in the same
// JSON line shape as test/fixtures/replay-agent.mjs. Each delta's text is "<i>@<ms> ": its number
// (1..N) and the epoch time in milliseconds (fractional) at which it was written, so a reader on the
// same machine measures latency as now - ms, and checks that every line arrived exactly once.
//
//   node bench-agent.mjs <N>            as fast as stdout takes them (64 KiB writes)
//   node bench-agent.mjs <N>/<RATE>     paced: line i is written at start + i / RATE seconds, one write per line
//
// The run's shape comes in one argument so the agent host's `{message}` placeholder can carry it.
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

const spec = process.argv[2] ?? "";
const match = /^(\d+)(?:\/(\d+(?:\.\d+)?))?$/.exec(spec.trim());
if (!match) {
  process.stderr.write(`bench-agent: expected "<lines>" or "<lines>/<lines per second>", got "${spec}"\n`);
  process.exit(2);
}
const count = Number(match[1]);
const rate = match[2] === undefined ? 0 : Number(match[2]);

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();
let seq = 0;
const line = (stream, data) => `${JSON.stringify({ event: "agent", runId: "bench-run", stream, data, seq: ++seq, ts: Date.now() })}\n`;
const delta = (i) => line("assistant", { delta: `${i}@${now().toFixed(3)} ` });

async function write(text) {
  if (!process.stdout.write(text)) await once(process.stdout, "drain");
}

await write(line("lifecycle", { phase: "start", startedAt: Date.now() }));
if (rate > 0) {
  const start = now();
  for (let i = 1; i <= count; i++) {
    const wait = start + ((i - 1) * 1000) / rate - now();
    if (wait > 1) await sleep(wait);
    await write(delta(i));
  }
} else {
  let chunk = "";
  for (let i = 1; i <= count; i++) {
    chunk += delta(i);
    if (chunk.length >= 64 * 1024) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
}
await write(line("lifecycle", { phase: "end", endedAt: Date.now() }));
