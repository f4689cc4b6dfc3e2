// The persisted conversation: what GET /messages returns during and after a run, the real AI SDK
// consumer agreeing with it, the session index, regenerate, and delete.
import { describe, expect, it } from "vitest";
import type { UIMessage } from "ai";
import { consumeStream } from "../../support/sse-reader.ts";
import { CAPTURES } from "../translate/captures.ts";
import { api, connectHost, openRun, postChat, readSse, sendExit, sendLines, userMessage } from "../support/relay-client.ts";
import { startRun, textDeltaLines } from "../support/started-run.ts";

type Message = UIMessage<{ streaming?: boolean; status?: string }>;

async function history(sessionId: string): Promise<Message[]> {
  return (await (await api(`/api/chat/${sessionId}/messages`)).json()) as Message[];
}

describe("history", () => {
  it("is what the AI SDK consumer built from the stream, for a real captured run", async () => {
    const { sessionId, run, response } = await startRun("history-1", "run the exec tool");
    const consumed = consumeStream(response.body!);
    await sendExit(run, await sendLines(run, 1, CAPTURES.execTool.lines, 5), 0);
    const fromStream = await consumed;
    const [, stored] = await history(sessionId);
    const { streaming, ...storedMetadata } = stored!.metadata!;
    expect(streaming).toBe(false);
    expect({ ...stored, metadata: storedMetadata }).toEqual(fromStream);
  });

  it("includes the running answer, marked as streaming, then the finished one", async () => {
    const { sessionId, run, response } = await startRun("history-2");
    await sendLines(run, 1, textDeltaLines(3));
    const during = await history(sessionId);
    expect(during).toHaveLength(2);
    expect(during[1]!.metadata?.streaming).toBe(true);
    expect(during[1]!.parts.filter((part) => part.type === "text").map((part) => (part as { text: string }).text).join("")).toBe("w0 w1 w2 ");
    await sendExit(run, 4, 0);
    await readSse(response);
    expect((await history(sessionId))[1]!.metadata?.streaming).toBe(false);
  });

  it("lists sessions newest first with title, count and status, and forgets deleted ones", async () => {
    const control = await connectHost("index-host");
    for (const [sessionId, text] of [["index-a", "First question\nwith detail"], ["index-b", "Second"]] as const) {
      const response = await postChat(sessionId, text);
      const start = await control.nextOfType("start");
      const { run } = await openRun(sessionId, start.runId, "index-host");
      await sendExit(run, await sendLines(run, 1, textDeltaLines(2)), 0);
      await readSse(response);
    }
    const index = (await (await api("/api/chats")).json()) as { id: string; title: string; messageCount: number; status: string; createdAt: number; updatedAt: number }[];
    const ours = index.filter((entry) => entry.id.startsWith("index-"));
    expect(ours.map((entry) => entry.id)).toEqual(["index-b", "index-a"]);
    expect(ours[1]).toMatchObject({ title: "First question", messageCount: 2, status: "completed" });
    expect(ours[1]!.updatedAt).toBeGreaterThanOrEqual(ours[1]!.createdAt);

    const deleted = await api("/api/chat/index-a", { method: "DELETE" });
    expect(await deleted.json()).toEqual({ deleted: true });
    expect(await history("index-a")).toEqual([]);
    const after = (await (await api("/api/chats")).json()) as { id: string }[];
    expect(after.map((entry) => entry.id)).not.toContain("index-a");
    control.close();
  });

  it("refuses to delete a session while its run is active", async () => {
    const { sessionId, run, response } = await startRun("history-3");
    const refused = await api(`/api/chat/${sessionId}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/active/);
    await sendExit(run, 1, 0);
    await readSse(response);
    expect((await api(`/api/chat/${sessionId}`, { method: "DELETE" })).status).toBe(200);
  });

  it("replaces what followed the user message on regenerate", async () => {
    const control = await connectHost("regen-host");
    const ask = async (trigger: string) => {
      const response = await api("/api/chat", {
        method: "POST",
        body: JSON.stringify({ id: "regen-1", messages: [userMessage("u-regen", "question")], trigger }),
      });
      const start = await control.nextOfType("start");
      const { run } = await openRun("regen-1", start.runId, "regen-host");
      await sendExit(run, await sendLines(run, 1, textDeltaLines(1)), 0);
      await readSse(response);
    };
    await ask("submit-message");
    await ask("regenerate-message");
    const messages = await history("regen-1");
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant"]);
    control.close();
  });
});
