// Hostile hosts: anyone holding the host token, trying to act as (or against) another host. Hosts are
// identities: a run socket proves it is the assigned host's with the run's secret from the start
// frame, only that host can reject or end the run, a second hello cannot evict a live host without its
// instance key, and a hello stores nothing beyond its own connection (issue 9, finding 7).
import { describe, expect, it } from "vitest";
import {
  CLOSE_HOST_ID_IN_USE,
  CLOSE_HOST_ID_TAKEN,
  HOST_PROTOCOL_VERSION,
  newSecret,
  RUN_SECRET_HEADER,
  runSocketPath,
  type EdgeToHostRunFrame,
} from "../../protocol/host.ts";
import { MAX_RUNS_PER_HOST } from "../../protocol/limits.ts";
import { SELF } from "cloudflare:test";
import { api, chunksOf, connectHost, FrameSocket, HOST_TOKEN, openControl, readSse, sendExit, sendLines } from "./support/relay-client.ts";
import { startRun, textDeltaLines, textOf } from "./support/started-run.ts";

/** A run socket dialled with whatever secret an attacker has; the first frame the edge sends. */
async function dialRun(sessionId: string, runId: string, hostId: string, runSecret: string | null) {
  const headers: Record<string, string> = { upgrade: "websocket", authorization: `Bearer ${HOST_TOKEN}` };
  if (runSecret !== null) headers[RUN_SECRET_HEADER] = runSecret;
  const response = await SELF.fetch(`https://relay.test${runSocketPath(sessionId, runId, hostId)}`, { headers });
  const socket = new FrameSocket<EdgeToHostRunFrame>(response.webSocket!);
  return { socket, first: await socket.next() };
}

describe("hostile hosts", () => {
  it.each([
    ["no secret", null],
    ["a wrong secret", newSecret()],
  ])("finding 7: a run socket with %s cannot take over the run, even under the assigned host's id", async (_, secret) => {
    const { sessionId, runId, hostId, run, response } = await startRun(`hostile-takeover-${secret === null ? "none" : "wrong"}`);
    const next = await sendLines(run, 1, textDeltaLines(2));
    const intruder = await dialRun(sessionId, runId, hostId, secret);
    expect(intruder.first).toEqual({ type: "error", error: `wrong run secret for run ${runId}`, fatal: true });
    await expect.poll(() => intruder.socket.closeCode).toBe(4403);
    // The intruder's lines go nowhere; the real host's socket was never replaced and carries on.
    try {
      intruder.socket.send({ type: "lines", firstSeq: next, lines: [JSON.stringify({ event: "agent", stream: "assistant", data: { delta: "INJECTED " } })] });
    } catch {
      // closed already
    }
    await sendExit(run, await sendLines(run, next, textDeltaLines(1, 2)), 0);
    const text = textOf(chunksOf(await readSse(response)));
    expect(text).toBe("w0 w1 w2 ");
  });

  it("finding 7: after the run ended, a socket without its secret learns nothing about it", async () => {
    const { sessionId, runId, hostId, run, response } = await startRun("hostile-ended");
    await sendExit(run, await sendLines(run, 1, textDeltaLines(3)), 0);
    await readSse(response);
    const intruder = await dialRun(sessionId, runId, hostId, null);
    // Not the ack with the run's last seq that the run's own host gets.
    expect(intruder.first).toEqual({ type: "error", error: `wrong run secret for run ${runId}`, fatal: true });
  });

  it("finding 7: only the host a run was given to can reject it", async () => {
    const { sessionId, runId, control, run, response } = await startRun("hostile-reject");
    const other = await connectHost("hostile-reject-other");
    other.send({ type: "run-rejected", sessionId, runId, error: "forged refusal" });
    // The hub takes frames in order: once it has closed the socket for the next (invalid) frame, it has
    // seen the forged refusal.
    other.send("not a frame");
    await expect.poll(() => other.closed).toBe(true);
    await sendExit(run, await sendLines(run, 1, textDeltaLines(2)), 0);
    const chunks = chunksOf(await readSse(response));
    expect(textOf(chunks)).toBe("w0 w1 ");
    expect(JSON.stringify(chunks)).not.toContain("forged refusal");
    control.close();
  });

  it("finding 7: a second hello with a live host's id but another instance key is refused; the live host stays", async () => {
    const key = newSecret();
    const live = await connectHost("hostile-same-id", 4, key);
    const impostor = await openControl();
    impostor.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "hostile-same-id", instanceKey: newSecret(), maxRuns: 4 });
    await expect.poll(() => impostor.closeCode).toBe(CLOSE_HOST_ID_IN_USE);
    expect(live.closed).toBe(false);
    // The same host process (same key) on a new connection does replace its old one.
    const back = await connectHost("hostile-same-id", 4, key);
    await expect.poll(() => live.closeCode).toBe(CLOSE_HOST_ID_TAKEN);
    expect(back.closed).toBe(false);
    back.close();
  });

  it("finding 7: a hello cannot claim another host's run: its aborts still go to the run's own host", async () => {
    const { sessionId, runId, control, run } = await startRun("hostile-claim");
    const claimer = await connectHost("hostile-claimer");
    // Protocol 1 let a hello list runs, and the hub took the list as the truth.
    const greedy = await openControl();
    greedy.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "hostile-claimer-2", instanceKey: newSecret(), maxRuns: 4, runs: [{ sessionId, runId }] });
    await greedy.nextOfType("welcome");
    await api(`/api/chat/${sessionId}/abort`, { method: "POST" });
    expect(await control.nextOfType("abort")).toEqual({ type: "abort", sessionId, runId });
    expect(await run.nextOfType("abort")).toEqual({ type: "abort" });
    claimer.close();
    greedy.close();
  });

  it("finding 7: a hello is bounded: more than MAX_RUNS_PER_HOST runs at once is refused", async () => {
    const greedy = await openControl();
    greedy.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "hostile-huge", instanceKey: newSecret(), maxRuns: MAX_RUNS_PER_HOST + 1 });
    await expect.poll(() => greedy.closeCode).toBe(4400);
  });
});
