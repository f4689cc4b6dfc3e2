// A send that finds no agent host is answered 503 and changes nothing: the previous answer stays
// replayable, a regenerate keeps the answer it would have replaced, a new user message is not kept.
import { describe, expect, it } from "vitest";
import { api, connectHost, openRun, readSse, sendExit, sendLines, userMessage } from "../support/relay-client.ts";
import { textDeltaLines } from "../support/started-run.ts";
import { hostOfflineError } from "../../../src/hub/host-errors.ts";

describe("no agent host connected", () => {
  it("refuses with 503 and leaves the session as it was", async () => {
    const control = await connectHost("only-host");
    const ask = (messageId: string, trigger: string) =>
      api("/api/chat", { method: "POST", body: JSON.stringify({ id: "nohost-1", messages: [userMessage(messageId, "question")], trigger }) });
    const first = await ask("u-1", "submit-message");
    const start = await control.nextOfType("start");
    const { run } = await openRun("nohost-1", start.runId, "only-host");
    await sendExit(run, await sendLines(run, 1, textDeltaLines(3)), 0);
    const answer = await readSse(first);
    const before = await (await api("/api/chat/nohost-1/messages")).json();

    control.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const [messageId, trigger] of [["u-1", "regenerate-message"], ["u-2", "submit-message"]]) {
      const refused = await ask(messageId!, trigger!);
      expect(refused.status).toBe(503);
      // The chat ran on only-host: its turns wait for that host, named (chat-host.test.ts).
      expect(await refused.json()).toEqual({ error: hostOfflineError("only-host") });
    }
    expect(await (await api("/api/chat/nohost-1/messages")).json()).toEqual(before);
    // The answer that was streaming a moment ago can still be replayed in full.
    expect(await readSse(await api("/api/chat/nohost-1/stream"))).toEqual(answer);
  });

  it("ends a stream that joined the refused run while the start was pending", async () => {
    const refused = api("/api/chat", { method: "POST", body: JSON.stringify({ id: "nohost-2", messages: [userMessage("u-x", "hi")] }) });
    const resumes = Array.from({ length: 6 }, (_, i) => new Promise((resolve) => setTimeout(resolve, i)).then(() => api("/api/chat/nohost-2/stream")));
    expect((await refused).status).toBe(503);
    for (const response of await Promise.all(resumes)) {
      if (response.status === 200) expect((await readSse(response)).at(-1)?.data).toBe("[DONE]");
      else expect(response.status).toBe(204);
    }
  });
});
