// Issue 11, several hosts, end to end: `wrangler dev`, two real agent host processes ("laptop" and
// "server"), each running the fixture agent, which signs its answers with its machine's name. A chat's
// turns stay on the host that ran its first one, across reconnects and restarts of either host; while
// one host is offline its chats get a 503 naming it and the other host's chats keep working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostOfflineError } from "../../src/hub/host-errors.ts";
import { FIXTURE_AGENT, startAgentHost } from "../support/agent-host-process.ts";
import type { GroupProcess } from "../support/process-group.ts";
import { streamText } from "../support/sse-reader.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { WranglerDev } from "../support/wrangler-dev.ts";

type HostName = "laptop" | "server";
type ListedHost = { id: string; agent: string | null; runsInUse: number; maxRuns: number; connectedSince: number };

const relay = new WranglerDev();
// The laptop reaches the edge through a proxy, so the test can cut its connections.
const laptopLink = new TcpProxy(() => Number(new URL(relay.url).port));
const hosts = new Map<HostName, GroupProcess>();

function startHost(name: HostName): void {
  hosts.set(
    name,
    startAgentHost({
      url: name === "laptop" ? laptopLink.url : relay.url,
      token: relay.hostToken,
      hostId: name,
      // Not 1: a host frees a run's slot only once the edge has acknowledged its exit, a moment after the
      // browser saw the answer end, and these turns follow each other at once.
      maxRuns: name === "laptop" ? 2 : 4,
      command: [process.execPath, FIXTURE_AGENT, "--sign", name, "--say", "{message}"],
    }),
  );
}

async function listHosts(): Promise<ListedHost[]> {
  const response = await relay.api("/api/hosts");
  if (!response.ok) throw new Error(`GET /api/hosts: ${response.status} ${await response.text()}`);
  return (await response.json()) as ListedHost[];
}

/** Waits until exactly these hosts are connected (and returns how the edge lists them). */
async function waitForHostList(names: HostName[]): Promise<ListedHost[]> {
  const deadline = Date.now() + 30_000;
  let listed: ListedHost[] = [];
  while (Date.now() < deadline) {
    listed = await listHosts().catch(() => []);
    if (listed.map((host) => host.id).join() === [...names].sort().join()) return listed;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`hosts ${JSON.stringify(listed)}, expected ${names.join()}:\n${[...hosts.values()].map((host) => host.output()).join("\n")}`);
}

async function restartHost(name: HostName): Promise<void> {
  await hosts.get(name)!.stop();
  await waitForHostList(name === "laptop" ? ["server"] : ["laptop"]);
  startHost(name);
  await waitForHostList(["laptop", "server"]);
}

let turn = 0;

/** Sends a message in a chat; the answer's text (which names the machine that ran it) or the refusal. */
async function send(sessionId: string, text: string, hostId?: HostName): Promise<{ status: number; text: string }> {
  turn += 1;
  const response = await relay.api("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${turn}`, role: "user", parts: [{ type: "text", text }] }], ...(hostId ? { hostId } : {}) }),
  });
  if (response.status !== 200) return { status: response.status, text: ((await response.json()) as { error: string }).error };
  return { status: 200, text: (await streamText(response.body!)).trim() };
}

beforeAll(async () => {
  await relay.start();
  await laptopLink.listen();
  startHost("laptop");
  startHost("server");
  await waitForHostList(["laptop", "server"]);
});

afterAll(async () => {
  for (const host of hosts.values()) await host.stop();
  await laptopLink.close();
  await relay.dispose();
});

describe("several hosts", () => {
  it("lists the connected hosts with their agent kind, runs in use of their limit and when they connected", async () => {
    const listed = await listHosts();
    expect(listed).toEqual([
      { id: "laptop", agent: "jsonl", runsInUse: 0, maxRuns: 2, connectedSince: expect.any(Number) },
      { id: "server", agent: "jsonl", runsInUse: 0, maxRuns: 4, connectedSince: expect.any(Number) },
    ]);
  });

  it("keeps a chat's turns on its host across reconnects and restarts of either host", async () => {
    expect(await send("on-laptop", "one", "laptop")).toEqual({ status: 200, text: "laptop: one" });
    expect(await send("on-server", "one", "server")).toEqual({ status: 200, text: "server: one" });

    // The laptop's network drops: it reconnects (same process) and its chat goes on there.
    const before = (await listHosts()).find((host) => host.id === "laptop")!.connectedSince;
    expect(laptopLink.cutAll()).toBeGreaterThan(0);
    await expect.poll(async () => (await listHosts()).find((host) => host.id === "laptop")?.connectedSince ?? before, { timeout: 30_000 }).toBeGreaterThan(before);
    expect(await send("on-laptop", "two")).toEqual({ status: 200, text: "laptop: two" });
    expect(await send("on-server", "two")).toEqual({ status: 200, text: "server: two" });

    // Each host restarts (a new process, a new instance key, the same host id).
    await restartHost("server");
    expect(await send("on-laptop", "three")).toEqual({ status: 200, text: "laptop: three" });
    expect(await send("on-server", "three")).toEqual({ status: 200, text: "server: three" });
    await restartHost("laptop");
    expect(await send("on-laptop", "four")).toEqual({ status: 200, text: "laptop: four" });
    expect(await send("on-server", "four")).toEqual({ status: 200, text: "server: four" });

    const chats = (await (await relay.api("/api/chats")).json()) as { id: string; hostId: string | null }[];
    expect(chats.filter((chat) => chat.id.startsWith("on-")).map((chat) => [chat.id, chat.hostId]).sort()).toEqual([
      ["on-laptop", "laptop"],
      ["on-server", "server"],
    ]);
  });

  it("answers 503 naming an offline host for its chats, and the other host's chats keep working", async () => {
    expect(await send("away-laptop", "one", "laptop")).toEqual({ status: 200, text: "laptop: one" });
    expect(await send("away-server", "one", "server")).toEqual({ status: 200, text: "server: one" });

    await hosts.get("laptop")!.stop();
    await waitForHostList(["server"]);
    expect(await send("away-laptop", "two")).toEqual({ status: 503, text: hostOfflineError("laptop") });
    expect(hostOfflineError("laptop")).toBe("agent host laptop is offline");
    expect(await send("away-server", "two")).toEqual({ status: 200, text: "server: two" });
    // A new chat goes to a host that is there; the laptop's chat still waits for the laptop.
    expect(await send("away-new", "one")).toEqual({ status: 200, text: "server: one" });
    expect(await send("away-laptop", "three")).toEqual({ status: 503, text: hostOfflineError("laptop") });
    // Nothing of the refused turns was kept.
    const history = (await (await relay.api("/api/chat/away-laptop/messages")).json()) as { role: string }[];
    expect(history.map((message) => message.role)).toEqual(["user", "assistant"]);

    startHost("laptop");
    await waitForHostList(["laptop", "server"]);
    expect(await send("away-laptop", "four")).toEqual({ status: 200, text: "laptop: four" });
  });

  it("moves a chat to another host only when asked, saying the agent there starts without its memory", async () => {
    expect(await send("moving", "one", "laptop")).toEqual({ status: 200, text: "laptop: one" });
    const moved = await relay.api("/api/chat/moving/host", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hostId: "server" }) });
    expect(await moved.json()).toEqual({ hostId: "server", moved: true });
    const history = (await (await relay.api("/api/chat/moving/messages")).json()) as { role: string; parts: { text?: string }[] }[];
    expect(history.at(-1)).toMatchObject({ role: "system", parts: [{ text: expect.stringMatching(/starts without its memory/) }] });
    expect(await send("moving", "two")).toEqual({ status: 200, text: "server: two" });
  });
});
