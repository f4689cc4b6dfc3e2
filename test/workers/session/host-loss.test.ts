// The host goes away mid-run and does not come back: after the host grace period (4 s in the
// tests, 60 s by default) the run ends with a visible error and the partial answer is persisted.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, chunksOf, openRun, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

describe("host loss", () => {
  it("ends the run with a visible error when the host does not come back in time", { timeout: 15_000 }, async () => {
    const { sessionId, run, control, response } = await startRun("loss-1");
    await sendLines(run, 1, textDeltaLines(5));
    run.close();
    control.close();
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    await runDurableObjectAlarm(env.SESSION.getByName(sessionId));

    const chunks = chunksOf(await readSse(response));
    const text = textOf(chunks);
    expect(text).toContain("w0 w1 w2 w3 w4 ");
    expect(text).toContain("[error] The agent host disconnected and did not come back within 4 s.");
    expect(chunks.at(-1)).toMatchObject({ type: "finish", finishReason: "error" });
    const history = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { parts: { type: string; text?: string }[]; metadata: { streaming: boolean } }[];
    expect(history[1]!.metadata.streaming).toBe(false);
    expect(history[1]!.parts.map((part) => part.text ?? "").join("")).toContain("w0 w1 w2 w3 w4 ");
  });

  it("waits for a host that comes back within the grace period", { timeout: 15_000 }, async () => {
    const { sessionId, runId, hostId, run, response } = await startRun("loss-2");
    await sendLines(run, 1, textDeltaLines(5));
    run.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await openRun(sessionId, runId, hostId);
    expect(again.resumeAt).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 3_800));
    await runDurableObjectAlarm(env.SESSION.getByName(sessionId));
    await sendExit(again.run, await sendLines(again.run, 6, textDeltaLines(1, 5)), 0);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toBe("w0 w1 w2 w3 w4 w5 ");
  });

  it("ends the run with the host's refusal when the host will not start it", async () => {
    const { sessionId, runId, control, run, response } = await startRun("loss-3");
    run.close();
    control.send({ type: "run-rejected", sessionId, runId, error: "this host already runs 4 agents (--max-runs 4)" });
    const text = textOf(chunksOf(await readSse(response)));
    expect(text).toContain("[error] The agent host refused the run: this host already runs 4 agents (--max-runs 4)");
  });
});
