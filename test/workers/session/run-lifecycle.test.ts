// One whole run through the Worker: a browser posts a message, the host gets the start, streams the
// captured lines of a real openclaw run, exits; the browser's stream and the persisted history agree.
import { describe, expect, it } from "vitest";
import { CAPTURES } from "../translate/captures.ts";
import { api, chunksOf, connectHost, openRun, postChat, readSse, sendExit, sendLines } from "../support/relay-client.ts";

describe("a run from POST to [DONE]", () => {
  it("streams the agent's answer with increasing ids, ends with [DONE] and persists both messages", async () => {
    const control = await connectHost();
    const response = await postChat("lifecycle-1", "read hello.txt", "u-1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("x-accel-buffering")).toBe("no");

    const start = await control.nextOfType("start");
    expect(start).toMatchObject({ sessionId: "lifecycle-1", message: "read hello.txt", agentSessionId: "lifecycle-1" });

    const { run, resumeAt } = await openRun("lifecycle-1", start.runId, "test-host");
    expect(resumeAt).toBe(0);
    const lines = CAPTURES.final.lines;
    const next = await sendLines(run, 1, lines, 7);
    await sendExit(run, next, 0);

    const events = await readSse(response);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const ids = events.filter((event) => event.data !== "[DONE]").map((event) => event.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const chunks = chunksOf(events);
    expect(chunks[0]!.type).toBe("start");
    expect(chunks.at(-1)!.type).toBe("finish");
    const text = chunks.filter((chunk) => chunk.type === "text-delta").map((chunk) => chunk.delta).join("");
    expect(text).toContain("The file says hello from the fake server.");
    for (const chunk of chunks) expect(chunk).not.toHaveProperty("seq");

    const history = (await (await api("/api/chat/lifecycle-1/messages")).json()) as { id: string; role: string; parts: { type: string }[]; metadata?: { streaming?: boolean } }[];
    expect(history.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(history[0]!.id).toBe("u-1");
    expect(history[1]!.metadata?.streaming).toBe(false);
    expect(history[1]!.parts.some((part) => part.type === "dynamic-tool")).toBe(true);

    const index = (await (await api("/api/chats")).json()) as { id: string; title: string; messageCount: number; status: string }[];
    expect(index.find((entry) => entry.id === "lifecycle-1")).toMatchObject({ title: "read hello.txt", messageCount: 2, status: "completed" });
    control.close();
  });

  it("answers 409 while a run is active and 503 when no host is connected", async () => {
    const none = await postChat("lifecycle-2", "hello", "u-none");
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({ error: "no agent host is connected" });
    // Nothing was kept from the refused request.
    expect(await (await api("/api/chat/lifecycle-2/messages")).json()).toEqual([]);

    const control = await connectHost();
    const first = await postChat("lifecycle-2", "hello", "u-a");
    expect(first.status).toBe(200);
    const second = await postChat("lifecycle-2", "again", "u-b");
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: string }).error).toMatch(/already active/);
    const start = await control.nextOfType("start");
    const { run } = await openRun("lifecycle-2", start.runId, "test-host");
    await sendExit(run, 1, 0);
    await readSse(first);
    control.close();
  });

  it("keeps a retried user message once (idempotent by message id)", async () => {
    const control = await connectHost();
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await postChat("lifecycle-3", "same message", "u-same");
      const start = await control.nextOfType("start");
      const { run } = await openRun("lifecycle-3", start.runId, "test-host");
      await sendExit(run, 1, 0);
      await readSse(response);
    }
    const history = (await (await api("/api/chat/lifecycle-3/messages")).json()) as { id: string; role: string }[];
    expect(history.filter((message) => message.id === "u-same")).toHaveLength(1);
    control.close();
  });
});
