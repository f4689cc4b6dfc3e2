// SSE framing: one event per chunk, the sequence number only in `id:`, text that looks like framing
// stays inside its event.
import * as ai7 from "ai";
import { expect, it } from "vitest";
import { encodeEvents, SSE_DONE, SSE_KEEPALIVE } from "../../../src/sse.ts";

const TRICKY = ["a\nb", "data: x", "[DONE]", "line\r\nbreak", "id: 7\n\nid: 8", ": not a comment"];
const chunks = TRICKY.map((delta) => ({ type: "text-delta", id: "t", delta }));
const json = chunks.map((chunk) => JSON.stringify(chunk));

it("frames each chunk as one event with its sequence number", () => {
  expect(encodeEvents(41, ['{"type":"start"}', '{"type":"finish"}'])).toBe(
    'id: 41\ndata: {"type":"start"}\n\nid: 42\ndata: {"type":"finish"}\n\n',
  );
  expect(encodeEvents(5, [])).toBe("");
});

it("JSON.stringify escapes line breaks, so text that looks like framing stays one event each", () => {
  for (const text of json) expect(text).not.toMatch(/[\r\n]/);
  const events = encodeEvents(1, json).split("\n\n").filter(Boolean);
  expect(events).toHaveLength(TRICKY.length);
  events.forEach((event, i) => expect(event).toBe(`id: ${i + 1}\ndata: ${json[i]}`));
});

it("the AI SDK's event-stream parser reads back exactly the chunks, skipping keep-alives and [DONE]", async () => {
  const body = SSE_KEEPALIVE + encodeEvents(1, json.slice(0, 3)) + SSE_KEEPALIVE + encodeEvents(4, json.slice(3)) + SSE_DONE;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
  const parsed: unknown[] = [];
  for await (const result of ai7.parseJsonEventStream({ stream, schema: ai7.uiMessageChunkSchema })) {
    if (!result.success) throw result.error;
    parsed.push(result.value);
  }
  expect(parsed).toEqual(chunks);
});

it("the end marker and the keep-alive comment", () => {
  expect(SSE_DONE).toBe("data: [DONE]\n\n");
  expect(SSE_KEEPALIVE).toBe(": keepalive\n\n");
});

it("refuses a chunk with a raw line break (it would split the event) and a bad sequence number", () => {
  expect(() => encodeEvents(3, ['{"a":1}', '{"b":\n2}'])).toThrow("chunk 4 contains a line break");
  expect(() => encodeEvents(-1, ["{}"])).toThrow(/non-negative integer/);
  expect(() => encodeEvents(1.5, ["{}"])).toThrow(/non-negative integer/);
});
