// Issue 11, several hosts: a chat belongs to the host that ran its first turn. Its later turns go to that
// host, or are refused with a 503 naming it while it is away; nothing runs on another host unless a person
// moves the chat, and the move leaves a note that the agent there starts without its memory.
import { describe, expect, it } from "vitest";
import { HOST_PROTOCOL_VERSION, newSecret, type EdgeToHostControlFrame } from "../../../protocol/host.ts";
import { hostOfflineError } from "../../../src/hub/host-errors.ts";
import { hostMoveText } from "../../../src/session/chat-host.ts";
import { api, chatIndexEntry, connectHost, openControl, openRun, postChat, readSse, sendExit, sendLines, userMessage, type FrameSocket } from "../support/relay-client.ts";
import { textDeltaLines } from "../support/started-run.ts";

/** The host answers the start it got with a few words and exits; the browser's stream is read to its end. */
async function answer(control: FrameSocket<EdgeToHostControlFrame>, hostId: string, response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const start = await control.nextOfType("start");
  const { run } = await openRun(start.sessionId, start.runId, hostId);
  await sendExit(run, await sendLines(run, 1, textDeltaLines(2)), 0);
  await readSse(response);
  return start.runId;
}

async function history(sessionId: string): Promise<{ id: string; role: string; parts: { type: string; text?: string }[] }[]> {
  return (await api(`/api/chat/${sessionId}/messages`)).json();
}

async function hostIds(): Promise<string[]> {
  return ((await (await api("/api/hosts")).json()) as { id: string }[]).map((host) => host.id);
}

/** Whether a start frame reaches `control` within a moment. */
async function getsStart(control: FrameSocket<EdgeToHostControlFrame>): Promise<boolean> {
  return control.nextOfType("start", 300).then(
    () => true,
    () => false,
  );
}

describe("a chat stays on its host", () => {
  it("sends later turns to the chat's host even when another host is less busy", async () => {
    const laptop = await connectHost("stay-laptop", 2);
    await answer(laptop, "stay-laptop", await postChat("stay-1", "first", "u-1"));
    // The laptop is busy with another chat's run, and then a server with room connects.
    const other = await postChat("stay-busy", "busy", "u-busy");
    expect(other.status).toBe(200);
    await laptop.nextOfType("start");
    const server = await connectHost("stay-server", 8);

    const second = await postChat("stay-1", "second", "u-2");
    expect(second.status).toBe(200);
    expect(await getsStart(server)).toBe(false); // the least busy host would be the server
    expect((await laptop.nextOfType("start")).sessionId).toBe("stay-1");
    await second.body!.cancel();
    await other.body!.cancel();
    laptop.close();
    server.close();
  });

  it("refuses a turn with 503 naming the chat's host while it is offline, runs nothing elsewhere and keeps nothing", async () => {
    const laptop = await connectHost("away-laptop");
    await answer(laptop, "away-laptop", await postChat("away-1", "first", "u-1"));
    const before = await history("away-1");
    laptop.close();
    await expect.poll(hostIds).not.toContain("away-laptop");
    const server = await connectHost("away-server");

    const refused = await postChat("away-1", "third", "u-3");
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: hostOfflineError("away-laptop") });
    expect(hostOfflineError("away-laptop")).toBe("agent host away-laptop is offline");
    expect(await getsStart(server)).toBe(false);
    expect(await history("away-1")).toEqual(before);

    // Back (a new process: another instance key): the chat's turns run there again.
    const back = await connectHost("away-laptop", 4, newSecret());
    await answer(back, "away-laptop", await postChat("away-1", "fourth", "u-4"));
    expect((await history("away-1")).map((message) => message.id)).toEqual(["u-1", expect.any(String), "u-4", expect.any(String)]);
    back.close();
    server.close();
  });

  it("lets a new chat's first turn name its host, and refuses another host for a chat that has one", async () => {
    const a = await connectHost("pick-a");
    const b = await connectHost("pick-b");
    await answer(b, "pick-b", await postChat("pick-1", "first", "u-1", "pick-b"));
    expect(await getsStart(a)).toBe(false);
    expect(await chatIndexEntry("pick-1")).toMatchObject({ hostId: "pick-b" });

    const wrongHost = await postChat("pick-1", "second", "u-2", "pick-a");
    expect(wrongHost.status).toBe(409);
    expect(((await wrongHost.json()) as { error: string }).error).toMatch(/belongs to agent host pick-b/);
    const absent = await postChat("pick-2", "first", "u-1", "pick-nobody");
    expect(absent.status).toBe(503);
    expect(await absent.json()).toEqual({ error: hostOfflineError("pick-nobody") });
    expect(await history("pick-2")).toEqual([]);
    a.close();
    b.close();
  });

  it("leaves a chat without a host when the host it went to refuses its first turn", async () => {
    const full = await connectHost("refuse-full");
    const free = await connectHost("refuse-free");
    const refusedRun = await postChat("refuse-1", "first", "u-1", "refuse-full");
    const start = await full.nextOfType("start");
    full.send({ type: "run-rejected", sessionId: start.sessionId, runId: start.runId, error: "busy" });
    await readSse(refusedRun);
    await expect.poll(async () => (await chatIndexEntry("refuse-1"))?.hostId).toBeNull();
    await answer(free, "refuse-free", await postChat("refuse-1", "again", "u-2", "refuse-free"));
    expect(await chatIndexEntry("refuse-1")).toMatchObject({ hostId: "refuse-free" });
    full.close();
    free.close();
  });

  it("moves a chat only when asked, with a note that the agent there starts without its memory", async () => {
    const laptop = await connectHost("move-laptop");
    const server = await connectHost("move-server");
    await answer(laptop, "move-laptop", await postChat("move-1", "first", "u-1", "move-laptop"));

    const move = (hostId: unknown) => api("/api/chat/move-1/host", { method: "POST", body: JSON.stringify({ hostId }) });
    expect((await move("move-nobody")).status).toBe(503);
    expect((await move("bad id!")).status).toBe(400);
    expect((await api("/api/chat/move-new/host", { method: "POST", body: JSON.stringify({ hostId: "move-server" }) })).status).toBe(409);

    const moved = await move("move-server");
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ hostId: "move-server", moved: true });
    const note = (await history("move-1")).at(-1)!;
    expect(note.role).toBe("system");
    expect(note.parts).toEqual([{ type: "text", text: hostMoveText({ from: "move-laptop", to: "move-server" }) }]);
    expect(note.parts[0]!.text).toMatch(/starts without its memory/);
    expect(await chatIndexEntry("move-1")).toMatchObject({ hostId: "move-server" });

    await answer(server, "move-server", await postChat("move-1", "second", "u-2"));
    expect(await getsStart(laptop)).toBe(false);

    // A move while a run is active would leave the run on one host and the chat on another.
    const running = await postChat("move-1", "third", "u-3");
    expect(running.status).toBe(200);
    const start = await server.nextOfType("start");
    expect((await move("move-laptop")).status).toBe(409);
    const { run } = await openRun("move-1", start.runId, "move-server");
    await sendExit(run, 1, 0);
    await readSse(running);
    laptop.close();
    server.close();
  });
  it("keeps the move note, before the new answer, when the answer from before the move is regenerated", async () => {
    const laptop = await connectHost("regen-move-laptop");
    const server = await connectHost("regen-move-server");
    await answer(laptop, "regen-move-laptop", await postChat("regen-move-1", "first", "u-1", "regen-move-laptop"));
    const [, oldAnswer] = await history("regen-move-1");
    const moved = await api("/api/chat/regen-move-1/host", { method: "POST", body: JSON.stringify({ hostId: "regen-move-server" }) });
    expect(moved.status).toBe(200);
    const note = (await history("regen-move-1")).at(-1)!;
    expect(note.role).toBe("system");

    // A client's regenerate (AI SDK's regenerate of the last answer): the history up to the question, sent again.
    const regenerated = api("/api/chat", {
      method: "POST",
      body: JSON.stringify({ id: "regen-move-1", messages: [userMessage("u-1", "first")], trigger: "regenerate-message" }),
    });
    await answer(server, "regen-move-server", await regenerated);
    const after = await history("regen-move-1");
    expect(after.map((message) => message.role)).toEqual(["user", "system", "assistant"]);
    expect(after[1]).toEqual(note);
    expect(after[2]!.id).not.toBe(oldAnswer!.id);
    laptop.close();
    server.close();
  });
});

describe("GET /api/hosts", () => {
  it("lists connected hosts with their agent kind, runs in use of their limit and when they connected", async () => {
    const before = Date.now();
    const control = await openControl();
    control.send({ type: "hello", version: HOST_PROTOCOL_VERSION, hostId: "list-openclaw", instanceKey: newSecret(), maxRuns: 1, agent: "openclaw" });
    await control.nextOfType("welcome");
    const plain = await connectHost("list-plain", 3);
    const started = await postChat("list-1", "hi", "u-1", "list-plain");
    expect(started.status).toBe(200);
    await plain.nextOfType("start");

    const hosts = (await (await api("/api/hosts")).json()) as { id: string; agent: string | null; runsInUse: number; maxRuns: number; connectedSince: number }[];
    const listed = hosts.filter((host) => host.id.startsWith("list-"));
    expect(listed).toEqual([
      { id: "list-openclaw", agent: "openclaw", runsInUse: 0, maxRuns: 1, connectedSince: expect.any(Number) },
      { id: "list-plain", agent: null, runsInUse: 1, maxRuns: 3, connectedSince: expect.any(Number) },
    ]);
    for (const host of listed) expect(host.connectedSince).toBeGreaterThanOrEqual(before - 1000);
    expect((await api("/api/hosts", { token: null })).status).toBe(401);

    control.close();
    await expect.poll(async () => ((await (await api("/api/hosts")).json()) as { id: string }[]).some((host) => host.id === "list-openclaw")).toBe(false);
    await started.body!.cancel();
    plain.close();
  });
});
