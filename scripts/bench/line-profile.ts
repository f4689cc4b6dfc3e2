// `node scripts/bench/line-profile.ts [lines]`: where one agent line's CPU goes, piece by piece, in the
// pure code both processes run per line (the host's splitter and outbox; the object's frame parsing and
// validation, translation, JSON encoding, byte counting, accumulator, SSE encoding and row text). Each
// piece runs alone over the same bench-agent lines, in frames of 2,000 as a burst sends them; the figure
// is the median of 7 passes, in microseconds per line. Node's V8, as workerd's: the same engine, so the
// shares carry over (a microbench of the pieces, not of the I/O around them).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { parseRunFrame, type LinesFrame } from "../../protocol/host.ts";
import { MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { LineSplitter } from "../../agent-host/src/line-splitter.ts";
import { RunOutbox } from "../../agent-host/src/run-outbox.ts";
import { utf8Bytes } from "../../src/session/byte-limits.ts";
import { encodeEventBytes } from "../../src/sse.ts";
import { MessageAccumulator } from "../../src/translate/accumulator.ts";
import { translateBatch, type TranslatedBatch } from "../../src/translate/batch.ts";
import { RunTranslator } from "../../src/translate/translator.ts";
import { median } from "./figures.ts";
import { printTable } from "./table.ts";

const count = Number(process.argv[2] ?? 100_000);
const PASSES = 7;
let seq = 0;
const line = (stream: string, data: unknown) => JSON.stringify({ event: "agent", runId: "bench-run", stream, data, seq: ++seq, ts: Date.now() });
const lines = Array.from({ length: count }, (_, i) => line("assistant", { delta: `${i + 1}@${(performance.timeOrigin + performance.now()).toFixed(3)} ` }));
const stdout = new TextEncoder().encode(lines.map((text) => `${text}\n`).join(""));

// The lines as the host's splitter gives them to its outbox: the agent's bytes.
const lineBytes = lines.map((text) => Buffer.from(text));

function frames(): Uint8Array[] {
  const outbox = new RunOutbox({ pauseAtBytes: Infinity });
  outbox.pushLines(lineBytes);
  const data: Uint8Array[] = [];
  for (let next = 1; next <= count; ) {
    const frame = outbox.frameFrom(next)!;
    data.push(frame.data);
    next = frame.lastSeq + 1;
  }
  return data;
}
// What the object receives: each frame as a text message.
const frameTexts = frames().map((data) => new TextDecoder().decode(data));
const parsedFrames = frameTexts.map((text) => (parseRunFrame(text) as { ok: true; frame: LinesFrame }).frame);
function translated(): TranslatedBatch[] {
  let translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  return parsedFrames.map((frame) => {
    const batch = translateBatch(translator, frame.lines);
    translator = batch.translator;
    return batch;
  });
}
const batches = translated();

const pieces: [string, string, () => void][] = [
  ["host", "split stdout into lines (LineSplitter)", () => {
    const splitter = new LineSplitter();
    for (let i = 0; i < stdout.length; i += 65_536) splitter.push(stdout.subarray(i, i + 65_536));
  }],
  ["host", "outbox: keep the lines, join them into frames (bytes)", () => void frames()],
  ["object", "frame: header (JSON.parse, zod), split into lines (parseRunFrame)", () => { for (const text of frameTexts) parseRunFrame(text); }],
  ["object", "translate: parse each line, chunks, merge deltas, JSON.stringify (translateBatch)", () => void translated()],
  ["object", "snapshot per frame (JSON.stringify)", () => { for (const batch of batches) JSON.stringify(batch.translator.snapshot()); }],
  ["object", "UTF-8 bytes of each chunk (utf8Bytes)", () => { for (const batch of batches) for (const json of batch.jsons) utf8Bytes(json); }],
  ["object", "accumulator.apply", () => {
    const accumulator = new MessageAccumulator("m");
    for (const batch of batches) for (const chunk of batch.chunks) accumulator.apply(chunk);
  }],
  ["object", "SSE bytes (encodeEventBytes: text, then TextEncoder)", () => {
    let first = 1;
    for (const batch of batches) {
      encodeEventBytes(first, batch.jsons);
      first += batch.jsons.length;
    }
  }],
  ["object", "row text (join)", () => { for (const batch of batches) batch.jsons.join("\n"); }],
  // workerd's SQLite, stood in for by Node's: the same engine on a file in WAL mode, a window a frame.
  ["object", "store window: the frame's row, in a transaction (node:sqlite file, WAL)", () => storeRows()],
];

const databaseDir = mkdtempSync(join(tmpdir(), "agent-relay-line-profile-"));
const sqlite = new DatabaseSync(join(databaseDir, "run-log.sqlite"));
// No fsync at each commit (synchronous NORMAL): this is a CPU profile, and an object's durability is its
// storage layer's business, not a local disk's.
sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
/** The run log's rows for the burst as the store window writes them (RunLog.append's table and row). */
function storeRows(): void {
  sqlite.exec("DROP TABLE IF EXISTS run_log; CREATE TABLE run_log (line_seq INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, state TEXT, body TEXT NOT NULL)");
  const insert = sqlite.prepare("INSERT INTO run_log (line_seq, first_seq, last_seq, state, body) VALUES (?, ?, ?, ?, ?)");
  let lineSeq = 0;
  let eventSeq = 1;
  batches.forEach((batch, i) => {
    lineSeq += parsedFrames[i]!.lines.length;
    sqlite.exec("BEGIN");
    insert.run(lineSeq, eventSeq, eventSeq + batch.jsons.length - 1, JSON.stringify(batch.translator.snapshot()), batch.jsons.join("\n"));
    sqlite.exec("COMMIT");
    eventSeq += batch.jsons.length;
  });
}

const rows: string[][] = [];
for (const [side, name, run] of pieces) {
  run(); // warm up
  const samples: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const started = performance.now();
    run();
    samples.push(((performance.now() - started) * 1000) / count);
  }
  rows.push([side, name, median(samples).toFixed(3)]);
}
sqlite.close();
rmSync(databaseDir, { force: true, recursive: true });
console.log(`\nCPU per agent line, pure pieces, ${count.toLocaleString("en-US")} bench-agent lines in frames of ${MAX_LINES_PER_FRAME} (median of ${PASSES}; Node ${process.versions.node})\n`);
printTable(["process", "piece", "µs per line"], rows);
