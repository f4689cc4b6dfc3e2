// Re-attaching: from the start of the run, from Last-Event-ID, and two subscribers at once.
import { describe, expect, it } from "vitest";
import { api, chunksOf, connectHost, openRun, postChat, readSse, sendExit, sendLines, type SseEvent } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

const ids = (events: SseEvent[]) => events.filter((event) => event.data !== "[DONE]").map((event) => event.id!);

describe("resume", () => {
  it("replays from the start, or only what follows Last-Event-ID, with no gap and no duplicate", async () => {
    const { run, response } = await startRun("replay-1");
    // Frames of 4 lines: one delta event each (the edge merges a frame's deltas).
    const next = await sendLines(run, 1, textDeltaLines(120), 4);

    // A browser that saw the first 20 events drops; another arrives fresh.
    const firstPart = await readSse(response, 20);
    const fromStart = api("/api/chat/replay-1/stream");
    const fromLast = api("/api/chat/replay-1/stream", { headers: { "last-event-id": String(firstPart.at(-1)!.id) } });
    const [whole, rest] = await Promise.all([fromStart, fromLast]);
    expect(whole.status).toBe(200);
    expect(rest.status).toBe(200);

    const more = await sendLines(run, next, textDeltaLines(60, 120), 25);
    await sendExit(run, more, 0);

    const wholeEvents = await readSse(whole);
    const restEvents = await readSse(rest);
    expect(wholeEvents.at(-1)!.data).toBe("[DONE]");
    expect(restEvents.at(-1)!.data).toBe("[DONE]");
    const all = ids(wholeEvents);
    expect(all).toEqual(all.map((_, i) => i + 1));
    // The resumed stream picks up exactly after what the first part saw.
    expect([...ids(firstPart), ...ids(restEvents)]).toEqual(all);
    const expectedText = Array.from({ length: 180 }, (_, i) => `w${i} `).join("");
    expect(textOf(chunksOf(wholeEvents))).toBe(expectedText);
    expect(textOf(chunksOf([...firstPart, ...restEvents]))).toBe(expectedText);
  });

  it("gives two subscribers the same stream live", async () => {
    const { run, response } = await startRun("replay-2");
    const second = await api("/api/chat/replay-2/stream");
    const next = await sendLines(run, 1, textDeltaLines(50), 10);
    await sendExit(run, next, 0);
    const [a, b] = await Promise.all([readSse(response), readSse(second)]);
    expect(textOf(chunksOf(a))).toBe(Array.from({ length: 50 }, (_, i) => `w${i} `).join(""));
    expect(b).toEqual(a);
  });

  it("lets a subscriber that stopped reading during a burst catch up from storage, in order", { timeout: 30_000 }, async () => {
    const { run, response } = await startRun("replay-5");
    // Nobody reads `response` while 20,000 lines (several MB of SSE) are stored and sent.
    const next = await sendLines(run, 1, textDeltaLines(20_000), 1_000);
    await sendExit(run, next, 0);
    const events = await readSse(response);
    const all = ids(events);
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(textOf(chunksOf(events))).toBe(Array.from({ length: 20_000 }, (_, i) => `w${i} `).join(""));
  });

  it("answers 204 when there is no run, and replays a finished run until its grace period ends", async () => {
    expect((await api("/api/chat/replay-none/stream")).status).toBe(204);
    const { run, response } = await startRun("replay-3");
    await sendExit(run, await sendLines(run, 1, textDeltaLines(5)), 0);
    const live = await readSse(response);
    const late = await api("/api/chat/replay-3/stream");
    expect(late.status).toBe(200);
    expect(await readSse(late)).toEqual(live);
    // RUN_GRACE_MS is 2 s in the tests: after it the run is gone from the stream (the message stays).
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect((await api("/api/chat/replay-3/stream")).status).toBe(204);
    const history = (await (await api("/api/chat/replay-3/messages")).json()) as unknown[];
    expect(history).toHaveLength(2);
  });

  it("replays the whole run for a Last-Event-ID beyond it (an id from an earlier, longer run)", async () => {
    const { run, response } = await startRun("replay-6");
    const next = await sendLines(run, 1, textDeltaLines(5));
    const stale = await api("/api/chat/replay-6/stream", { headers: { "last-event-id": "999999" } });
    expect(stale.status).toBe(200);
    // The object still answers others meanwhile.
    expect((await api("/api/chat/replay-6/messages")).status).toBe(200);
    await sendExit(run, next, 0);
    const [live, replayed] = await Promise.all([readSse(response), readSse(stale)]);
    expect(replayed).toEqual(live);
    const ended = await api("/api/chat/replay-6/stream", { headers: { "last-event-id": "999999" } });
    expect(await readSse(ended)).toEqual(live);
  });

  it("numbers a session's events on across runs, and replays a new run whole for an id of the last one", async () => {
    const control = await connectHost("host-replay-7");
    const events: SseEvent[][] = [];
    for (let i = 0; i < 2; i++) {
      const response = await postChat("replay-7", `question ${i}`);
      const start = await control.nextOfType("start");
      const { run } = await openRun("replay-7", start.runId, "host-replay-7");
      const next = await sendLines(run, 1, textDeltaLines(4));
      if (i === 1) {
        // A client that saw part of the first run comes back during the second.
        const stale = await api("/api/chat/replay-7/stream", { headers: { "last-event-id": String(events[0]![2]!.id) } });
        await sendExit(run, next, 0);
        events.push(await readSse(response), await readSse(stale));
      } else {
        await sendExit(run, next, 0);
        events.push(await readSse(response));
      }
    }
    const [first, second, stale] = events.map(ids);
    expect(second![0]).toBe(first!.at(-1)! + 1);
    expect(second).toEqual(second!.map((_, i) => second![0]! + i));
    expect(stale).toEqual(second);
    control.close();
  });

  it("rejects a Last-Event-ID that is not a sequence number", async () => {
    const response = await api("/api/chat/replay-4/stream", { headers: { "last-event-id": "abc" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid Last-Event-ID: must be a sequence number" });
  });
});
