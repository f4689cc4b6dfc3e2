// A running answer in GET /messages says where it stands in its run's stream (metadata.resume): the
// last event it includes and the ids of its open parts. A client that holds that snapshot and asks
// for the events after it, with Last-Event-ID, ends with exactly the answer the whole stream builds.
import { describe, expect, it } from "vitest";
import type { UIMessageChunk } from "ai";
import { consumeStream } from "../../support/sse-reader.ts";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { RunCursor } from "../../../web/src/chat/run-cursor.ts";
import { api, chunksOf, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines } from "../support/started-run.ts";
import { agent, approvalRequested, approvalResolved } from "../translate/scenario.ts";

describe("the resume point of a running answer", () => {
  it("names the last event the snapshot includes, and the events after it complete it exactly", async () => {
    const { sessionId, run, response } = await startRun("resume-point-1");
    const whole = consumeStream(response.body!);
    const seq = await sendLines(run, 1, textDeltaLines(5));
    const [, snapshot] = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as RelayUIMessage[];
    const resume = snapshot!.metadata?.resume;
    expect(resume?.eventId).toBeGreaterThan(0);
    expect(Object.values(resume!.openPartIds)).toHaveLength(1); // the text part still streaming

    const rest = api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(resume!.eventId) } });
    await sendExit(run, await sendLines(run, seq, textDeltaLines(3, 5)), 0);
    const after = await readSse(await rest);
    expect(Number(after[0]!.id)).toBe(resume!.eventId + 1);

    // The page's own continuation of the snapshot, read by the AI SDK, equals the whole stream's answer.
    const continued = [...RunCursor.fromSnapshot(snapshot)!.replay(), ...(chunksOf(after) as UIMessageChunk[])];
    const sse = continued.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("");
    const fromSnapshot = await consumeStream(new Response(sse).body!);
    expect(fromSnapshot).toEqual(await whole);

    const [, finished] = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as RelayUIMessage[];
    expect(finished!.metadata?.resume).toBeUndefined();
  });

  it("a reload while a tool waits for approval, or after it was answered, continues to the same answer", async () => {
    const { sessionId, run, response } = await startRun("resume-point-2");
    const whole = consumeStream(response.body!);
    const snapshot = async () => ((await (await api(`/api/chat/${sessionId}/messages`)).json()) as RelayUIMessage[])[1]!;
    const exec = agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "ls /" } });
    let seq = await sendLines(run, 1, [exec, approvalRequested("appr-r", "call_1")]);
    const waiting = await snapshot();
    seq = await sendLines(run, seq, [approvalResolved("appr-r", { decision: "allow-once", resolvedBy: "host" })]);
    const answered = await snapshot();
    const rest = [waiting, answered].map((from) =>
      api(`/api/chat/${sessionId}/stream`, { headers: { "last-event-id": String(from.metadata!.resume!.eventId) } }),
    );
    seq = await sendLines(run, seq, [agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", result: "bin" }), agent("assistant", { delta: "Done." })]);
    await sendExit(run, seq, 0);

    const expected = await whole;
    expect(JSON.stringify(expected)).toContain('"approved":true');
    for (const [index, from] of [waiting, answered].entries()) {
      const continued = [...RunCursor.fromSnapshot(from)!.replay(), ...(chunksOf(await readSse(await rest[index]!)) as UIMessageChunk[])];
      const sse = continued.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("");
      expect(await consumeStream(new Response(sse).body!)).toEqual(expected);
    }
  });
});
