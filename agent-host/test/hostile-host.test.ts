// The agent host under hostile or heavy conditions (issue 9): a busy edge must not silence its pings
// (finding 5), the agent it runs must not be able to read the host token (finding 8), and a message
// must never become an option of the agent CLI (finding 9).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { newSecret, type StartFrame } from "../../protocol/host.ts";
import { fillTemplate, templateWarning } from "../src/adapters/argv-template.ts";
import { jsonlAdapter } from "../src/adapters/jsonl.ts";
import { DEFAULT_OPENCLAW_COMMAND } from "../src/adapters/openclaw.ts";
import { toWebSocketUrl } from "../src/config.ts";
import { ControlLink } from "../src/control-link.ts";
import { agentLineText } from "../src/run-outbox.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { FakeEdge } from "./support/fake-edge.ts";
import { startHost } from "./support/host-process.ts";

const TOKEN = `hostile-${newSecret()}`;
const OPTIONS_AGENT = fileURLToPath(new URL("./fixtures/options-agent.mjs", import.meta.url));
const SNOOPING_AGENT = fileURLToPath(new URL("./fixtures/snooping-agent.mjs", import.meta.url));

const cleanup = cleanupAfterEach();

const start = (runId: string, message = "hello"): StartFrame => ({
  type: "start",
  sessionId: `session-${runId}`,
  runId,
  message,
  agentSessionId: `agent-${runId}`,
  runSecret: newSecret(),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function edge(): Promise<FakeEdge> {
  const fake = await FakeEdge.start(TOKEN);
  cleanup(() => fake.close());
  return fake;
}

function controlLink(fake: FakeEdge, pingIntervalMs?: number): ControlLink {
  const link = new ControlLink({
    baseUrl: toWebSocketUrl(fake.url)!,
    token: TOKEN,
    hostId: "busy",
    maxRuns: 4,
    log: () => {},
    onStart: () => {},
    onAbort: () => {},
    onTokenRefused: () => {},
    onHostIdTaken: () => {},
    pongTimeoutMs: 5_000,
    ...(pingIntervalMs === undefined ? {} : { pingIntervalMs }),
  });
  cleanup(() => link.stop());
  link.start();
  return link;
}

/** Longest wait between the connection (`since`) and the first ping, or between two pings. */
function longestSilence(since: number, pingTimes: number[], until: number): number {
  const marks = [since, ...pingTimes, until];
  return Math.max(...marks.slice(1).map((mark, i) => mark - marks[i]!));
}

describe("finding 5: a busy host is not dropped", () => {
  // Scaled 1:100: a 30 s ping interval is 300 ms; a message every 20 s is a start every 200 ms; two
  // minutes are 1.2 s. The edge drops a host silent for 2.5 intervals (75 s, here 750 ms).
  it("finding 5: a host that gets a start every 20 s still pings every 30 s, for two minutes (scaled 1:100)", async () => {
    const fake = await edge();
    controlLink(fake, 300);
    await fake.waitFor(() => fake.hellos.length === 1, "hello");
    const since = performance.now();
    for (let message = 1; message <= 6; message += 1) {
      await sleep(200);
      fake.sendControl(start(`busy-${message}`));
    }
    const until = performance.now();
    expect(fake.pings).toBeGreaterThanOrEqual(3);
    // Never silent for anything near the edge's limit (2.5 intervals); 150 ms of slack for a loaded machine.
    expect(longestSilence(since, fake.pingTimes, until)).toBeLessThan(300 + 150);
  });

  it("finding 5: the host pings as often as the edge's welcome asks (the edge's silence limit decides)", async () => {
    const fake = await edge();
    fake.pingIntervalMs = 200;
    controlLink(fake); // the host's own default is 30 s
    await fake.waitFor(() => fake.hellos.length === 1, "hello");
    const since = performance.now();
    await fake.waitFor(() => fake.pings >= 3, "three pings", 2_000);
    expect(longestSilence(since, fake.pingTimes, performance.now())).toBeLessThan(200 + 150);
  });
});

describe("finding 8: the agent cannot read the host token", () => {
  /** Runs the snooping agent under a real host started with `args`, `env` and `stdin`; what the agent found. */
  async function snoop(hostId: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
    const fake = await edge();
    const command = JSON.stringify([process.execPath, SNOOPING_AGENT, "--message", "{message}"]);
    const host = startHost(["--url", fake.url, "--agent", "jsonl", "--command", command, "--host-id", hostId, ...args], env, stdin);
    cleanup(() => host.stop());
    await fake.waitFor(() => fake.hellos.length === 1, `the host's hello\n${host.log}`);
    fake.sendControl(start(hostId));
    await fake.waitFor(() => fake.runs.get(hostId)?.exit !== undefined, "the agent's exit");
    const found = JSON.parse(fake.run(hostId).lines[0]!) as { hostCmdline: string; hostEnviron: string; ownEnv: string };
    // The agent really read its parent's files (so the checks on them mean something).
    expect(found.hostCmdline).toContain(hostId);
    expect(found.hostEnviron).toContain("PATH=");
    return found;
  }

  it("finding 8: with --token-file - the token is in neither the host's command line, its initial environment, nor the agent's environment", async () => {
    const found = await snoop("snooped", ["--token-file", "-"], {}, `${TOKEN}\n`);
    expect(found.hostCmdline).not.toContain(TOKEN);
    expect(found.hostEnviron).not.toContain(TOKEN);
    expect(found.ownEnv).not.toContain(TOKEN);
  });

  it("finding 8: given in RELAY_HOST_TOKEN, the token stays out of the agent's environment, but /proc shows the host's initial one (why --token-file)", async () => {
    const found = await snoop("snooped-env", [], { RELAY_HOST_TOKEN: TOKEN });
    expect(found.ownEnv).not.toContain(TOKEN);
    expect(found.hostCmdline).not.toContain(TOKEN);
    // Deleting it from process.env does not change /proc/<pid>/environ: agent-host/README.md says so.
    expect(found.hostEnviron).toContain(TOKEN);
  });
});

describe("finding 9: a message never becomes a flag", () => {
  const MESSAGES = ["--help", "-rf", "--message=other", "-", "--"];

  it.each(MESSAGES)("finding 9: with --message={message} the message %j stays the option's value", async (message) => {
    const adapter = jsonlAdapter({ command: [process.execPath, OPTIONS_AGENT, "--message={message}"], cwd: process.cwd(), env: {} });
    const lines: string[] = [];
    const exit = await adapter(start("flag", message), (more) => lines.push(...more.map(agentLineText))).exited;
    expect(exit).toMatchObject({ code: 0 });
    expect(lines.map((line) => JSON.parse(line).data.delta)).toEqual([message]);
  });

  it("finding 9: the openclaw adapter passes the message and the session as --name=value", () => {
    const argv = fillTemplate(DEFAULT_OPENCLAW_COMMAND, { message: "--help", session: "s-1" });
    expect(argv).toContain("--message=--help");
    expect(argv).toContain("--session-id=s-1");
    expect(argv).not.toContain("--help");
  });

  it("finding 9: a bare {message} neither after -- nor after an option gets a warning", () => {
    expect(templateWarning(["agent", "{message}"])).toMatch(/a message starting with - may be read as an option/);
    expect(templateWarning(["agent", "--", "{message}"])).toBeUndefined();
    expect(templateWarning(["agent", "--say", "{message}"])).toBeUndefined();
    expect(templateWarning(["agent", "--say={message}"])).toBeUndefined();
  });
});
