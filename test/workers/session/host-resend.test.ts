// The host resends after a drop; the object stores each line once, whatever overlaps.
import { describe, expect, it } from "vitest";
import { chunksOf, openRun, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "../support/started-run.ts";

describe("host resend", () => {
  it("drops lines it already stored, refuses gaps, and resumes a new socket at the last stored line", async () => {
    const { sessionId, runId, hostId, run, response } = await startRun("resend-1");
    const lines = textDeltaLines(30);
    run.send({ type: "lines", firstSeq: 1, lines: lines.slice(0, 10) });
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: 10 });
    // Overlapping resend: 6..15 -> only 11..15 are new.
    run.send({ type: "lines", firstSeq: 6, lines: lines.slice(5, 15) });
    expect(await run.nextOfType("ack")).toEqual({ type: "ack", seq: 15 });
    // A gap is refused with an error and the resume point.
    run.send({ type: "lines", firstSeq: 20, lines: lines.slice(19, 25) });
    expect(await run.next()).toMatchObject({ type: "error", fatal: false, error: "sequence gap: expected 16, got 20" });
    expect(await run.next()).toEqual({ type: "ack", seq: 15 });

    // The connection drops; the host reconnects and is told to resume after 15.
    run.close();
    const again = await openRun(sessionId, runId, hostId);
    expect(again.resumeAt).toBe(15);
    again.run.send({ type: "lines", firstSeq: 16, lines: lines.slice(15) });
    expect(await again.run.nextOfType("ack")).toEqual({ type: "ack", seq: 30 });
    await sendExit(again.run, 31, 0);
    // Resending the exit after the run ended is answered, not re-applied.
    const events = await readSse(response);
    expect(textOf(chunksOf(events))).toBe(Array.from({ length: 30 }, (_, i) => `w${i} `).join(""));
  });

  it("refuses a run socket for a run the session does not have", async () => {
    const { sessionId, hostId, run } = await startRun("resend-2");
    await expect(openRun(sessionId, "not-this-run", hostId)).rejects.toThrow(/no such run in this session/);
    await sendExit(run, 1, 0);
  });

  it("refuses a run socket from a host the run was not given to, and keeps the run", async () => {
    const { sessionId, runId, run, response } = await startRun("resend-5");
    await sendLines(run, 1, textDeltaLines(2));
    await expect(openRun(sessionId, runId, "some-other-host")).rejects.toThrow(/belongs to agent host \\"host-resend-5\\", not \\"some-other-host\\"/);
    await sendExit(run, await sendLines(run, 3, textDeltaLines(1, 2)), 0);
    expect(textOf(chunksOf(await readSse(response)))).toBe("w0 w1 w2 ");
  });

  it("tells a host that reconnects after the run ended what it stored, then to stop", async () => {
    const { sessionId, runId, hostId, run, response } = await startRun("resend-4");
    await sendExit(run, 1, 0);
    await readSse(response);
    // The host missed that ack (its connection dropped) and dials again.
    const late = await openRun(sessionId, runId, hostId);
    expect(late.resumeAt).toBe(1);
    expect(await late.run.next()).toEqual({ type: "error", error: "this run has already ended", fatal: true });
  });

  it("answers invalid frames with an error and keeps the run going", async () => {
    const { run, response } = await startRun("resend-3");
    run.send("not json");
    expect(await run.next()).toEqual({ type: "error", error: "frame is not JSON", fatal: false });
    run.send({ type: "lines", firstSeq: 0, lines: ["x"] });
    expect(await run.next()).toMatchObject({ type: "error", fatal: false });
    run.send({ type: "bogus" });
    expect(await run.next()).toMatchObject({ type: "error", fatal: false });
    await sendExit(run, 1, 0);
    expect((await readSse(response)).at(-1)!.data).toBe("[DONE]");
  });
});
