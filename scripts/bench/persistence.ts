// Benchmark 4: the cost of persisting a run's message as the session's history grows.
// - agent-relay: the relay's MessageStore (one row per message, upsert in place) in a bench-only
//   Durable Object on local workerd (persistence/), one object per history size, seeded with N prior
//   messages. A sample is one request making WRITES_PER_SAMPLE upserts of the run's message, each
//   committed on its own, timed from here and divided by that number, minus the same loop without
//   the writes; the figure is the median of the samples.
// - the reference: its upsertMessage (read the session's JSONL file, parse every line, replace the
//   message's line, write the whole file back), re-implemented below on a temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UIMessage } from "ai";
import { unstable_startWorker } from "wrangler";
import { offlineWranglerEnv } from "../offline-env.ts";
import { median } from "./figures.ts";
import { now } from "./stream-probe.ts";

export interface PersistenceFigure {
  priorMessages: number;
  /** Median ms to persist the run's message: upsert and commit (minus the same loop without writes). */
  relayMs: number;
  /** The same before subtracting: with the request's share and the loop's sync() calls. */
  relayWithOverheadMs: number;
  /** Median ms of the reference's read-parse-rewrite of the whole session file. */
  referenceMs: number;
  /** The reference's session file size, bytes. */
  referenceFileBytes: number;
}

const WRITES_PER_SAMPLE = 50;
const CONFIG = fileURLToPath(new URL("persistence/wrangler.toml", import.meta.url));

export async function benchPersistence(sizes: number[], samples: { relay: number; reference: number }): Promise<PersistenceFigure[]> {
  const relay = await relayPersistence(sizes, samples.relay);
  return sizes.map((priorMessages, i) => {
    const reference = referencePersistence(priorMessages, samples.reference);
    return { priorMessages, ...relay[i]!, ...reference };
  });
}

async function relayPersistence(sizes: number[], samples: number): Promise<Array<Pick<PersistenceFigure, "relayMs" | "relayWithOverheadMs">>> {
  Object.assign(process.env, offlineWranglerEnv(process.env));
  const persistTo = mkdtempSync(join(tmpdir(), "agent-relay-bench-persist-"));
  const worker = await unstable_startWorker({
    config: CONFIG,
    dev: { persist: persistTo, server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "warn" },
  });
  try {
    await worker.ready;
    const post = async (path: string, body: unknown): Promise<number> => {
      const started = now();
      const response = await worker.fetch(`http://bench${path}`, { method: "POST", body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      return now() - started;
    };
    // One object per size, seeded first; then the samples go round the sizes, so a burst of other work
    // on the machine falls on all of them alike. A sample's figure is its writes' time minus the time of
    // the same loop without writes measured right after it.
    for (const count of sizes) {
      await post("/seed", { history: count, count, user: USER_MESSAGE, assistant: runMessage(0) });
      // Warm-up: the first calls pay for compiling code and growing the object's files.
      await post("/persist", { history: count, message: runMessage(0), times: WRITES_PER_SAMPLE });
      await post("/nothing", { history: count, message: runMessage(0), times: WRITES_PER_SAMPLE });
    }
    const net = sizes.map(() => [] as number[]);
    const gross = sizes.map(() => [] as number[]);
    for (let i = 1; i <= samples; i++) {
      for (const [at, count] of sizes.entries()) {
        const persist = (await post("/persist", { history: count, message: runMessage(i), times: WRITES_PER_SAMPLE })) / WRITES_PER_SAMPLE;
        const nothing = (await post("/nothing", { history: count, message: runMessage(i), times: WRITES_PER_SAMPLE })) / WRITES_PER_SAMPLE;
        net[at]!.push(persist - nothing);
        gross[at]!.push(persist);
      }
    }
    return sizes.map((_, at) => ({ relayMs: Math.max(0, median(net[at]!)), relayWithOverheadMs: median(gross[at]!) }));
  } finally {
    await worker.dispose();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

function referencePersistence(priorMessages: number, samples: number): Pick<PersistenceFigure, "referenceMs" | "referenceFileBytes"> {
  const dir = mkdtempSync(join(tmpdir(), "agent-relay-bench-reference-"));
  try {
    const file = join(dir, "session.jsonl");
    const lines = Array.from({ length: priorMessages }, (_, i) => {
      const template = i % 2 === 0 ? USER_MESSAGE : runMessage(0);
      return JSON.stringify({ ...template, id: `${template.role}-${i}` });
    });
    writeFileSync(file, lines.join("\n") + "\n");
    const times: number[] = [];
    for (let i = 1; i <= samples; i++) {
      const started = now();
      referenceUpsert(file, runMessage(i));
      times.push(now() - started);
    }
    return { referenceMs: median(times), referenceFileBytes: readFileSync(file).byteLength };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reference's upsertMessage (active-runs.seed.ts.txt), without its index-file update. */
function referenceUpsert(file: string, message: UIMessage): void {
  const lines = readFileSync(file, "utf-8").split("\n").filter((line) => line.trim());
  let found = false;
  const updated = lines.map((line) => {
    try {
      if ((JSON.parse(line) as { id?: string }).id === message.id) {
        found = true;
        return JSON.stringify(message);
      }
    } catch {
      // kept as is, like the reference
    }
    return line;
  });
  if (!found) updated.push(JSON.stringify(message));
  writeFileSync(file, updated.join("\n") + "\n");
}

// A realistic turn: a user question, and an answer with a status note, reasoning, a tool call with its
// output and ~3,000 characters of text (about 5 KB of JSON; a long coding answer is several times that).
const PROSE = "The function reads the whole session file on every flush, so each write costs more as the chat grows. ";

const USER_MESSAGE: UIMessage = {
  id: "user",
  role: "user",
  parts: [{ type: "text", text: "Why does saving get slower in long chats? Look at the persistence code and explain, then suggest a fix." }],
};

/** The run's assistant message as the n-th write sees it (its text differs a little each time). */
function runMessage(n: number): UIMessage {
  return {
    id: "assistant-run",
    role: "assistant",
    metadata: { runId: "run", status: "running", skippedLines: 0, ignoredLines: 0, usage: { inputTokens: 5120, outputTokens: 900 + n }, streaming: true },
    parts: [
      { type: "data-status", id: "run-status", data: { text: "Preparing response...", active: false } },
      { type: "reasoning", text: PROSE.repeat(5), state: "done" },
      {
        type: "dynamic-tool",
        toolName: "exec",
        toolCallId: "run-tool-1",
        state: "output-available",
        input: { command: "grep -n writeFileSync src/active-runs.ts" },
        output: Array.from({ length: 12 }, (_, i) => `src/active-runs.ts:${100 + i * 17}: writeFileSync(fp, updated.join("\\n") + "\\n");`).join("\n"),
      },
      { type: "text", text: `${PROSE.repeat(30)}(${n})`, state: "streaming" },
    ],
  };
}
