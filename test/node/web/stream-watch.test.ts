import type { UIMessageChunk } from "ai";
import { describe, expect, it } from "vitest";
import { watchStream, type StreamEvent } from "../../../web/src/chat/stream-watch.ts";

const start: UIMessageChunk = { type: "start", messageId: "m1" };
const delta: UIMessageChunk = { type: "text-delta", id: "t1", delta: "hi" };
const finish: UIMessageChunk = { type: "finish", finishReason: "stop" };

/** Delivers `chunks` one read at a time, then closes or (like a dropped connection) fails. */
function streamOf(chunks: UIMessageChunk[], failAtEnd?: Error): ReadableStream<UIMessageChunk> {
  const queue = [...chunks];
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else if (failAtEnd) controller.error(failAtEnd);
      else controller.close();
    },
  });
}

async function drain(stream: ReadableStream<UIMessageChunk>): Promise<{ chunks: UIMessageChunk[]; error?: unknown }> {
  const chunks: UIMessageChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

describe("watchStream", () => {
  it("passes every chunk through and reports a run that reached its finish", async () => {
    const events: StreamEvent[] = [];
    const result = await drain(watchStream(streamOf([start, delta, finish]), undefined, (e) => events.push(e)));
    expect(result.chunks).toEqual([start, delta, finish]);
    expect(events).toEqual(["finished"]);
  });

  it("reports a body that ended before the finish chunk as cut", async () => {
    const events: StreamEvent[] = [];
    await drain(watchStream(streamOf([start, delta]), undefined, (e) => events.push(e)));
    expect(events).toEqual(["cut"]);
  });

  it("reports a connection failure as cut and still fails the stream for the AI SDK", async () => {
    const events: StreamEvent[] = [];
    const failure = new TypeError("network error");
    const result = await drain(watchStream(streamOf([start, delta], failure), undefined, (e) => events.push(e)));
    expect(result.chunks).toEqual([start, delta]);
    expect(result.error).toBe(failure);
    expect(events).toEqual(["cut"]);
  });

  it("reports nothing when the page itself detached (Stop, leaving the session)", async () => {
    const events: StreamEvent[] = [];
    const detach = new AbortController();
    detach.abort();
    await drain(watchStream(streamOf([start, delta]), detach.signal, (e) => events.push(e)));
    await drain(watchStream(streamOf([start], new TypeError("aborted")), detach.signal, (e) => events.push(e)));
    expect(events).toEqual([]);
  });
});
