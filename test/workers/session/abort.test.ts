// Stop: the host is told on both sockets, the partial answer is kept, the stream ends.
import { describe, expect, it } from "vitest";
import { api, chunksOf, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

describe("abort", () => {
  it("sends abort to the host, keeps the partial answer and ends the stream as stopped", async () => {
    const { sessionId, control, run, response } = await startRun("abort-1");
    const next = await sendLines(run, 1, textDeltaLines(10));
    const abort = await api(`/api/chat/${sessionId}/abort`, { method: "POST" });
    expect(await abort.json()).toEqual({ aborted: true });
    expect(await run.nextOfType("abort")).toEqual({ type: "abort" });
    expect(await control.nextOfType("abort")).toMatchObject({ type: "abort", sessionId });

    // The agent dies of SIGTERM after a last line.
    const last = await sendLines(run, next, textDeltaLines(1, 10));
    await sendExit(run, last, 143, { signal: "SIGTERM" });
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toBe(Array.from({ length: 11 }, (_, i) => `w${i} `).join(""));
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "aborted" } });
    // A stop is not reported as a failure.
    expect(JSON.stringify(chunks)).not.toContain("[error]");

    const history = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { metadata: { status: string; streaming: boolean } }[];
    expect(history[1]!.metadata).toMatchObject({ status: "aborted", streaming: false });
    const index = (await (await api("/api/chats")).json()) as { id: string; status: string }[];
    expect(index.find((entry) => entry.id === sessionId)?.status).toBe("aborted");
    expect(await (await api(`/api/chat/${sessionId}/abort`, { method: "POST" })).json()).toEqual({ aborted: false });
  });

  it("answers aborted:false when nothing runs", async () => {
    expect(await (await api("/api/chat/abort-none/abort", { method: "POST" })).json()).toEqual({ aborted: false });
  });
});
