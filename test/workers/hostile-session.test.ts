// Hostile input through the whole Worker and session object (issue 9, findings 1, 4 (the byte caps), 10, 11):
// whatever fails while a frame is handled, the host gets an ack or a fatal error (never silence it would
// answer by resending for ever), the run either goes on past a visible skip note or ends with a visible
// error, storage and memory agree (the run is never left `running`), history reads, and the next
// message works. Storage failures are real SQLite failures: a trigger in the object's own database
// that aborts chosen writes (RAISE(ABORT)), as a full disk or an oversized row would.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { MAX_JSON_DEPTH, MAX_RUN_BYTES, MAX_SESSION_BYTES, MAX_STDERR_TAIL_CHARS } from "../../protocol/limits.ts";
import { runLogTable } from "../../src/session/run-log.ts";
import type { SessionObject } from "../../src/session/session-object.ts";
import { api, chunksOf, openRun, postChat, readSse, sendExit, sendLines } from "./support/relay-client.ts";
import { startRun, textOf, type StartedRun } from "./support/started-run.ts";

const delta = (text: string) => JSON.stringify({ event: "agent", stream: "assistant", data: { delta: text } });
/** `levels` nested objects and arrays alternating: 3 bytes a level, so 3,000 levels are ~9 KB. */
const nested = (levels: number) => '[{"a":'.repeat(levels >> 1) + (levels % 2 ? "[]" : "1") + "}]".repeat(levels >> 1);
const rawAgent = (stream: string, dataJson: string) => `{"event":"agent","stream":"${stream}","data":${dataJson}}`;
const deepToolStart = (levels: number) => rawAgent("tool", `{"phase":"start","toolCallId":"t1","name":"fetch","args":{"json":${nested(levels)}}}`);
const deepToolResult = (levels: number) => rawAgent("tool", `{"phase":"result","toolCallId":"t1","name":"fetch","result":{"details":{"json":${nested(levels)}}}}`);

function sql<T extends Record<string, SqlStorageValue>>(sessionId: string, query: string): Promise<T[]> {
  return runInDurableObject(env.SESSION.getByName(sessionId), (_: SessionObject, state) => state.storage.sql.exec<T>(query).toArray());
}

async function history(sessionId: string): Promise<UIMessage[]> {
  const response = await api(`/api/chat/${sessionId}/messages`);
  expect(response.status).toBe(200);
  return (await response.json()) as UIMessage[];
}

async function indexStatus(sessionId: string): Promise<string | undefined> {
  const index = (await (await api("/api/chats")).json()) as { id: string; status: string }[];
  return index.find((entry) => entry.id === sessionId)?.status;
}

const partsText = (message: UIMessage) => message.parts.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");

/** The run is over in storage and in memory, and the session takes the next message. */
async function expectSessionUsable(started: StartedRun, status: string): Promise<void> {
  const { sessionId, control, hostId } = started;
  expect((await sql<{ status: string }>(sessionId, "SELECT status FROM runs"))[0]?.status).toBe(status);
  expect(await indexStatus(sessionId)).toBe(status);
  const response = await postChat(sessionId, "and now?");
  expect(response.status).toBe(200);
  const start = await control.nextOfType("start");
  const { run } = await openRun(sessionId, start.runId, hostId);
  await sendExit(run, await sendLines(run, 1, [delta("fine")]), 0);
  expect(textOf(chunksOf(await readSse(response)))).toBe("fine");
}

describe("finding 1: a line whose JSON nests thousands of levels", () => {
  it.each([3_000, 1_000, MAX_JSON_DEPTH + 1])("is acknowledged and skipped with a visible note (%i levels, in tool args and in a tool result)", async (levels) => {
    const started = await startRun(`hostile-deep-${levels}`);
    const { sessionId, run, response } = started;
    let seq = 1;
    for (const line of [delta("before "), deepToolStart(levels), deepToolResult(levels), delta("after")]) {
      run.send({ type: "lines", firstSeq: seq, lines: [line] });
      expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq });
      seq += 1;
    }
    // While it runs, history reads (the running answer is part of it).
    expect(partsText((await history(sessionId)).at(-1)!)).toContain("after");
    await sendExit(run, seq, 0);
    const chunks = chunksOf(await readSse(response));
    const note = `[error] Skipped an agent line: it nests deeper than ${MAX_JSON_DEPTH} levels.`;
    expect(textOf(chunks)).toBe(`before ${note}${note}after`);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "completed", skippedLines: 2 } });
    expect(partsText((await history(sessionId))[1]!)).toBe(`before ${note}${note}after`);
    await expectSessionUsable(started, "completed");
  });

  it("Stop after such a line ends the run as stopped, in storage too", async () => {
    const started = await startRun("hostile-deep-stop");
    const { sessionId, run, response } = started;
    const next = await sendLines(run, 1, [delta("partial "), deepToolStart(10_000)], 1);
    expect(await (await api(`/api/chat/${sessionId}/abort`, { method: "POST" })).json()).toEqual({ aborted: true });
    await run.nextOfType("abort");
    await sendExit(run, next, 143, { signal: "SIGTERM" });
    const chunks = chunksOf(await readSse(response));
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "aborted" } });
    expect((await history(sessionId))[1]!.metadata).toMatchObject({ status: "aborted", streaming: false });
    await expectSessionUsable(started, "aborted");
  });
});

describe("finding 1: a storage write that throws", () => {
  it("while a store window is stored: the host gets the last stored seq and a fatal error, the run ends visibly", async () => {
    const started = await startRun("hostile-write-frame");
    const { sessionId, runId, run, response } = started;
    await sql(sessionId, `CREATE TRIGGER refuse_poison BEFORE INSERT ON ${runLogTable(runId)} WHEN NEW.body LIKE '%poison-row%'
      BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`);
    const next = await sendLines(run, 1, [delta("kept ")]);
    run.send({ type: "lines", firstSeq: next, lines: [delta("poison-row")] });
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: next - 1 });
    const error = await run.nextOfType("error");
    expect(error).toMatchObject({ fatal: true, error: expect.stringMatching(/could not store the agent's output.*simulated storage failure/) });
    const text = textOf(chunksOf(await readSse(response)));
    // Its events went out before the store window was written (docs/architecture.md, "The store window"):
    // the end is numbered after them, and the stored answer keeps what the browser showed.
    expect(text).toMatch(/^kept poison-row\[error\] The relay could not store the agent's output \(Error: simulated storage failure/);
    // Memory equals storage: the stored end says the same as the stream did.
    expect(partsText((await history(sessionId))[1]!)).toBe(text);
    expect((await sql<{ line_seq: number }>(sessionId, `SELECT MAX(line_seq) AS line_seq FROM ${runLogTable(runId)}`))[0]!.line_seq).toBe(next - 1);
    await expectSessionUsable(started, "error");
  });

  it("while the end is stored: an error end is stored instead, never a run left running", async () => {
    const started = await startRun("hostile-write-end");
    const { sessionId, run, response } = started;
    // The answer holds a word the messages table refuses, so neither the running copy nor the final
    // answer can be written; the error end without the answer can.
    await sql(sessionId, `CREATE TRIGGER refuse_insert BEFORE INSERT ON messages WHEN NEW.body LIKE '%poison-message%'
      BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`);
    await sql(sessionId, `CREATE TRIGGER refuse_update BEFORE UPDATE ON messages WHEN NEW.body LIKE '%poison-message%'
      BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`);
    const next = await sendLines(run, 1, [delta("poison-message")]);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the 2 s running copy fails too, harmlessly
    await sendExit(run, next, 0);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toMatch(/\[error\] The relay could not store the end of the run \(Error: simulated storage failure/);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", finishReason: "error" });
    const stored = (await history(sessionId))[1]!;
    expect(stored.metadata).toMatchObject({ status: "error", streaming: false });
    expect(partsText(stored)).toMatch(/^\[error\] The relay could not store the end of the run/);
    await expectSessionUsable(started, "error");
  });
});

describe("finding 1: a stored log that cannot be read back", () => {
  it("ends the run with a visible error when the object restarts, instead of failing every request", async () => {
    const started = await startRun("hostile-unreadable-log");
    const { sessionId, runId, run, response } = started;
    // Acknowledged one at a time, so each line is a store window, and a row, of its own.
    const next = await sendLines(run, 1, [delta("kept ")]);
    await sendLines(run, next, [delta("lost")]);
    run.close();
    await readSse(response, 0);
    // A row whose chunks no longer parse (as a bad write or a bug in an older version could leave).
    await sql(sessionId, `UPDATE ${runLogTable(runId)} SET body = '{not json' WHERE rowid = (SELECT MAX(rowid) FROM ${runLogTable(runId)})`);
    await evictDurableObject(env.SESSION.getByName(sessionId));
    const stored = (await history(sessionId))[1]!;
    expect(partsText(stored)).toMatch(/^kept \[error\] The run could not be resumed after a restart: 1 stored events are unreadable\.$/);
    expect(stored.metadata).toMatchObject({ status: "error", streaming: false });
    await expectSessionUsable(started, "error");
  });
});

describe("finding 4 (its caps): per-run and per-session byte caps", () => {
  it("ends a run whose stored output passes MAX_RUN_BYTES with a visible error, keeping what came before", { timeout: 120_000 }, async () => {
    const started = await startRun("hostile-run-bytes");
    const { sessionId, run, response } = started;
    const reading = readSse(response);
    const big = delta("x".repeat(200_000));
    let seq = 1;
    const errors: unknown[] = [];
    run.socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data as string) as { type: string };
      if (frame.type === "error") errors.push(frame);
    });
    for (let frames = 0; errors.length === 0 && frames < Math.ceil(MAX_RUN_BYTES / 800_000) + 5; frames++) {
      run.send({ type: "lines", firstSeq: seq, lines: [big, big, big, big] });
      seq += 4;
      await run.nextOfType("ack");
      // The edge sends the error in the same turn as the ack that comes before it.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const error = errors[0];
    expect(error).toEqual({ type: "error", fatal: true, error: `The run's output passed ${MAX_RUN_BYTES} bytes and was stopped.` });
    const chunks = chunksOf(await reading);
    expect(textOf(chunks).endsWith(`[error] The run's output passed ${MAX_RUN_BYTES} bytes and was stopped.`)).toBe(true);
    const stored = (await sql<{ bytes: number }>(sessionId, `SELECT SUM(octet_length(body)) AS bytes FROM ${runLogTable(started.runId)}`))[0]!.bytes;
    expect(stored).toBeGreaterThan(MAX_RUN_BYTES);
    expect(stored).toBeLessThan(MAX_RUN_BYTES + 1024 * 1024); // at most one frame past the cap
    expect(await indexStatus(sessionId)).toBe("error");
  });

  it("refuses a new message in a session whose messages pass MAX_SESSION_BYTES, with a JSON error that says so", { timeout: 120_000 }, async () => {
    const started = await startRun("hostile-session-bytes");
    await sendExit(started.run, await sendLines(started.run, 1, [delta("hi")]), 0);
    await readSse(started.response);
    // Fill the session through its own message store (a run producing 128 MiB would take minutes).
    await runInDurableObject(env.SESSION.getByName(started.sessionId), (instance: SessionObject) => {
      const store = (instance as unknown as { messages: { upsert(message: UIMessage): void } }).messages;
      const text = "y".repeat(4 * 1024 * 1024);
      for (let i = 0; i * text.length <= MAX_SESSION_BYTES; i++) store.upsert({ id: `filler-${i}`, role: "assistant", parts: [{ type: "text", text }] });
    });
    const response = await postChat(started.sessionId, "one more");
    expect(response.status).toBe(507);
    expect(await response.json()).toEqual({
      error: `this session holds more than ${MAX_SESSION_BYTES} bytes of messages and takes no new message; start a new chat`,
    });
  });
});

describe("finding 10: the edge caps the stderr tail", () => {
  it("an exit with 200 KB of hostile stderr is acknowledged at once and explained from its last MAX_STDERR_TAIL_CHARS", async () => {
    const started = await startRun("hostile-stderr");
    const { run, response } = started;
    const hostile = '{"error":{"message":"'.repeat(Math.ceil((200 * 1024) / 21));
    await sendExit(run, await sendLines(run, 1, [delta("partial")]), 1, { stderrTail: `Error: from long ago\n${hostile}\nfatal: the last words` });
    const text = textOf(chunksOf(await readSse(response)));
    expect(text).not.toContain("from long ago"); // cut at the edge, as the host cuts it
    const shown = text.slice(text.indexOf("[error] "));
    expect(shown.length).toBeLessThan(MAX_STDERR_TAIL_CHARS + 100);
    await expectSessionUsable(started, "error");
  });
});

describe("finding 11: deeply nested request metadata", () => {
  it.each([
    ["message metadata", (deep: unknown) => ({ id: "hostile-meta", messages: [{ id: "u", role: "user", parts: [{ type: "text", text: "hi" }], metadata: deep }] })],
    ["a part", (deep: unknown) => ({ id: "hostile-meta", messages: [{ id: "u", role: "user", parts: [{ type: "text", text: "hi", extra: deep }] }] })],
  ])("400 with a JSON error for %s nested 5,000 levels", async (_, body) => {
    const response = await api("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body(JSON.parse(nested(5_000)))),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: `invalid body: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels` });
  });
});
