// Limits on what a host sends: an oversized line is skipped and counted, a run that goes past the
// maximum number of lines is ended with a visible error; nothing accepted before is lost.
import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES, MAX_LINES_PER_RUN } from "../../../protocol/limits.ts";
import { api, chunksOf, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

describe("limits", () => {
  it("skips and counts a line over the size limit and keeps the run going", async () => {
    const { run, response } = await startRun("limits-1");
    const huge = JSON.stringify({ event: "agent", stream: "assistant", data: { delta: "é".repeat(MAX_LINE_BYTES / 2 + 10) } });
    const next = await sendLines(run, 1, [...textDeltaLines(1), huge, ...textDeltaLines(1, 1)]);
    await sendExit(run, next, 0);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toBe("w0 w1 ");
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { skippedLines: 1 } });
  });

  it("ends a run that goes past the line limit with a visible error, keeping what came before", { timeout: 60_000 }, async () => {
    const { sessionId, run, response } = await startRun("limits-2");
    const reading = readSse(response);
    const batch = textDeltaLines(2_000);
    // All the frames up to the limit at once, as a host does (acks come a store window at a time).
    const seq = await sendLines(run, 1, Array.from({ length: MAX_LINES_PER_RUN / batch.length }, () => batch).flat(), 2_000);
    run.send({ type: "lines", firstSeq: seq, lines: batch.slice(0, 10) });
    expect(await run.nextOfType("error")).toMatchObject({ fatal: true, error: `The run exceeded ${MAX_LINES_PER_RUN} agent lines and was stopped.` });
    const chunks = chunksOf(await reading);
    // Every line up to the limit, and none after it (a frame's deltas arrive merged).
    expect(textOf(chunks).split("w1999 ")).toHaveLength(MAX_LINES_PER_RUN / batch.length + 1);
    expect(textOf(chunks)).toContain(`[error] The run exceeded ${MAX_LINES_PER_RUN} agent lines and was stopped.`);
    // The index mirrors the run's end just after the streams are ended (endRun): wait for it.
    const status = async () => ((await (await api("/api/chats")).json()) as { id: string; status: string }[]).find((entry) => entry.id === sessionId)?.status;
    await expect.poll(status, { timeout: 3_000 }).toBe("error");
  });
});
