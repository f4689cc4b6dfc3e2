// The system under test, on this machine: `wrangler dev` (local workerd) and the real agent host
// process running the benchmarks' agent (bench-agent.mjs), reusing the end-to-end harness.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { UIMessage } from "ai";
import { startAgentHost, waitForHosts } from "../../test/support/agent-host-process.ts";
import type { GroupProcess } from "../../test/support/process-group.ts";
import { WranglerDev, type WranglerDevOptions } from "../../test/support/wrangler-dev.ts";

/** The benchmarks' agent script. */
export const BENCH_AGENT = fileURLToPath(new URL("bench-agent.mjs", import.meta.url));
/** Enough for the scale benchmark's 50 sessions at once. */
const MAX_RUNS = 64;

export class BenchRelay {
  readonly edge: WranglerDev;
  #host: GroupProcess | null = null;

  /** By default finished runs stay replayable for the whole bench; `edge` options replace that. */
  constructor(edge: WranglerDevOptions = { vars: { RUN_GRACE_MS: "3600000" } }) {
    this.edge = new WranglerDev(edge);
  }

  async start(): Promise<void> {
    await this.edge.start();
    // The message a run is started with is the agent's whole spec: "<lines>" or "<lines>/<rate>".
    this.#host = startAgentHost({
      url: this.edge.url,
      token: this.edge.hostToken,
      command: [process.execPath, BENCH_AGENT, "{message}"],
      maxRuns: MAX_RUNS,
      hostId: "bench-host",
    });
    await waitForHosts(() => this.edge.hostsConnected(), 1, this.#host);
  }

  async stop(): Promise<void> {
    await this.#host?.stop();
    await this.edge.dispose();
  }

  /** POST /api/chat: starts a run of the bench agent with `spec`; the response is its stream. */
  async startRun(sessionId: string, spec: string, signal?: AbortSignal): Promise<Response> {
    const response = await this.edge.api("/api/chat", {
      method: "POST",
      signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: sessionId,
        messages: [{ id: `user-${sessionId}`, role: "user", parts: [{ type: "text", text: spec }] }],
        trigger: "submit-message",
      }),
    });
    if (response.status !== 200) throw new Error(`POST /api/chat for ${sessionId}: ${response.status} ${await response.text()}`);
    return response;
  }

  /** GET /api/chat/:id/stream: another subscriber of the session's current (or just ended) run. */
  async attach(sessionId: string, signal?: AbortSignal): Promise<Response> {
    const response = await this.edge.api(`/api/chat/${sessionId}/stream`, { signal });
    if (response.status !== 200) throw new Error(`GET /api/chat/${sessionId}/stream: ${response.status}`);
    return response;
  }

  /** GET /api/chat/:id/messages: the session's persisted history. */
  async messages(sessionId: string): Promise<UIMessage[]> {
    return (await (await this.edge.api(`/api/chat/${sessionId}/messages`)).json()) as UIMessage[];
  }

  /** What wrangler dev and the agent host printed lately, for a failure's message. */
  output(): string {
    return `--- wrangler dev:\n${this.edge.output()}\n--- agent host:\n${this.#host?.output() ?? ""}`;
  }

  get hostPid(): number {
    return this.#host!.child.pid!;
  }

  /**
   * The workerd process that runs the Worker and its Durable Objects. `wrangler dev` starts two: its
   * dev proxy, listening on the public port, and the runtime behind it.
   */
  workerdPid(): number {
    return this.#workerd(false);
  }

  /** `wrangler dev`'s dev proxy (a deployed Worker has no such hop): every request and socket crosses it. */
  devProxyPid(): number {
    return this.#workerd(true);
  }

  #workerd(proxy: boolean): number {
    const publicSocket = `entry=127.0.0.1:${new URL(this.edge.url).port}`;
    const found = descendants(process.pid).filter((pid) => processName(pid) === "workerd" && commandLine(pid).includes(publicSocket) === proxy);
    if (found.length !== 1) throw new Error(`expected one workerd ${proxy ? "dev proxy" : "runtime"} process under this one, found ${found.length}`);
    return found[0]!;
  }
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function parentOf(pid: number): number {
  try {
    // The command name (field 2) is in parentheses and may contain spaces: the ppid follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
