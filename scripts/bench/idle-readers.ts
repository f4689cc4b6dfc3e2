// `node scripts/bench/idle-readers.ts [--mb 48] [--readers 20]` (after `npm run build:web`)
//
// What readers that never read cost the relay (issue 9, finding 3): one run of big agent lines (200 KB
// deltas, so frames near the 900 KiB limit), read once to its end; then `--readers` streams of it are
// opened and never read. Prints the RSS of the workerd process that runs the Durable Objects before and
// after, and the difference per reader. Figures, not assertions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FIXTURE_AGENT, startAgentHost, waitForHosts } from "../../test/support/agent-host-process.ts";
import { statusMiB } from "./memory.ts";
import { BenchRelay } from "./relay.ts";

const { values } = parseArgs({ options: { mb: { type: "string", default: "48" }, readers: { type: "string", default: "20" } } });
const LINE_CHARS = 200_000;
const lines = Math.ceil((Number(values.mb) * 1_000_000) / LINE_CHARS);
const readers = Number(values.readers);

const dir = mkdtempSync(join(tmpdir(), "idle-readers-"));
const file = join(dir, "big.jsonl");
writeFileSync(
  file,
  Array.from({ length: lines }, (_, i) => JSON.stringify({ event: "agent", stream: "assistant", data: { delta: `${i} `.padEnd(LINE_CHARS, "x") } })).join("\n") + "\n",
);

const settle = () => new Promise((resolve) => setTimeout(resolve, 3_000));

// The bench's relay (its edge and its workerd lookup), with this script's own host.
const relay = new BenchRelay();
const edge = relay.edge;
await edge.start();
const host = startAgentHost({ url: edge.url, token: edge.hostToken, command: [process.execPath, FIXTURE_AGENT, "--file", file, "{message}"], hostId: "idle-readers" });
const opened: AbortController[] = [];
try {
  await waitForHosts(() => edge.hostsConnected(), 1, host);
  const workerd = relay.workerdPid();
  const started = Date.now();
  const answer = await relay.startRun("idle-readers", "go");
  const bytes = (await answer.arrayBuffer()).byteLength;
  console.log(`run: ${lines} lines of ${LINE_CHARS} characters, ${(bytes / 2 ** 20).toFixed(1)} MiB of SSE read in ${Date.now() - started} ms`);
  await settle();
  const before = statusMiB(workerd, "VmRSS");
  for (let i = 0; i < readers; i++) {
    const abort = new AbortController();
    opened.push(abort);
    await relay.attach("idle-readers", abort.signal); // its body is never read
  }
  await settle();
  const after = statusMiB(workerd, "VmRSS");
  console.log(`workerd RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB with ${readers} readers that do not read`);
  console.log(`per reader: ${((after - before) / readers).toFixed(1)} MiB`);
} finally {
  for (const abort of opened) abort.abort();
  await host.stop();
  await edge.dispose();
  rmSync(dir, { recursive: true, force: true });
}
