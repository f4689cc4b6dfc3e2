import type { UIMessageChunk } from "ai";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { createRelayTransport } from "../../../web/src/chat/relay-transport.ts";
import type { StreamEvent } from "../../../web/src/chat/stream-watch.ts";

type Seen = { url: string; method: string; headers: Headers; body?: unknown };

/** Answers every fetch with `answer` and records what the transport asked for. */
function fakeRelay(answer: () => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    seen.push({
      url,
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    });
    return answer();
  });
  return seen;
}

function sse(chunks: UIMessageChunk[]): Response {
  const text = chunks.map((chunk, i) => `id: ${i + 1}\ndata: ${JSON.stringify(chunk)}\n\n`).join("") + "data: [DONE]\n\n";
  return new Response(text, { headers: { "content-type": "text/event-stream", "x-vercel-ai-ui-message-stream": "v1" } });
}

async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const history: RelayUIMessage[] = [
  { id: "u1", role: "user", parts: [{ type: "text", text: "first" }] },
  { id: "a1", role: "assistant", parts: [{ type: "text", text: "answer" }] },
  { id: "u2", role: "user", parts: [{ type: "text", text: "second" }] },
];

afterEach(() => vi.unstubAllGlobals());

describe("createRelayTransport", () => {
  it("posts the new message with the relay token and reads the run's stream to its finish", async () => {
    const run: UIMessageChunk[] = [
      { type: "start", messageId: "a2" },
      { type: "text-start", id: "t" },
      { type: "text-delta", id: "t", delta: "hello" },
      { type: "text-end", id: "t" },
      { type: "finish", finishReason: "stop" },
    ];
    const seen = fakeRelay(() => sse(run));
    const events: StreamEvent[] = [];
    const transport = createRelayTransport("secret", (event) => events.push(event));

    const stream = await transport.sendMessages({
      chatId: "s1",
      messages: history,
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: undefined,
    });
    expect(await readAll(stream)).toEqual(run);
    expect(events).toEqual(["attached", "finished"]);

    const [post] = seen;
    expect(post).toMatchObject({ url: "/api/chat", method: "POST" });
    expect(post?.headers.get("authorization")).toBe("Bearer secret");
    // Only the message being sent travels; the relay holds the history.
    expect(post?.body).toEqual({ id: "s1", messages: [history[2]], trigger: "submit-message" });
  });

  it("resumes with the relay token and says when no run is active", async () => {
    const seen = fakeRelay(() => new Response(null, { status: 204 }));
    const events: StreamEvent[] = [];
    const transport = createRelayTransport("secret", (event) => events.push(event));

    expect(await transport.reconnectToStream({ chatId: "s1" })).toBeNull();
    expect(seen[0]).toMatchObject({ url: "/api/chat/s1/stream", method: "GET" });
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer secret");
    expect(events).toEqual(["no-run"]);
  });

  it("reports a resume that could not reach the relay as cut, so it is tried again", async () => {
    fakeRelay(() => Promise.reject(new TypeError("Failed to fetch")));
    const events: StreamEvent[] = [];
    const transport = createRelayTransport("secret", (event) => events.push(event));

    await expect(transport.reconnectToStream({ chatId: "s1" })).rejects.toThrow("Failed to fetch");
    expect(events).toEqual(["cut"]);
  });

  it("does not retry a resume the relay refused", async () => {
    fakeRelay(() => new Response('{"error":"missing or wrong token"}', { status: 401 }));
    const events: StreamEvent[] = [];
    const transport = createRelayTransport("stale", (event) => events.push(event));

    await expect(transport.reconnectToStream({ chatId: "s1" })).rejects.toMatchObject({ statusCode: 401 });
    expect(events).toEqual([]);
  });
});
