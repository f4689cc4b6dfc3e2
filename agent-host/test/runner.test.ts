import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_STDERR_TAIL_CHARS } from "../../protocol/limits.ts";
import { KILL_AFTER_MS, spawnAgent, type AgentSpec } from "../src/runner.ts";
import { agentLineText } from "../src/run-outbox.ts";
import { isAlive, OPENCLAW_EVENTS_DIR, replayAgent, waitUntil } from "./support/fixture-agent.ts";

const spec = (argv: string[]): AgentSpec => ({ argv, cwd: process.cwd(), env: process.env });

function run(argv: string[], killAfterMs?: number) {
  const lines: string[] = [];
  const agent = spawnAgent(spec(argv), { onLines: (more) => lines.push(...more.map(agentLineText)), killAfterMs });
  return { agent, lines };
}

describe("spawnAgent", () => {
  it("delivers the agent's stdout lines in order and its exit code", async () => {
    const file = join(OPENCLAW_EVENTS_DIR, "final.jsonl");
    const { agent, lines } = run(replayAgent("--file", file, "--exit", "3"));
    const exit = await agent.exited;
    expect(lines).toEqual(readFileSync(file, "utf8").trim().split("\n"));
    expect(exit).toEqual({ code: 3, signal: null, stderrTail: "" });
  });

  it("reports a missing command as a failure to start, not a hang", async () => {
    const { agent, lines } = run(["/nonexistent/agent-cli", "--flag"]);
    const exit = await agent.exited;
    expect(exit.error).toBe("spawn /nonexistent/agent-cli ENOENT (is /nonexistent/agent-cli installed and on the PATH?)");
    expect(exit.code).toBeNull();
    expect(lines).toEqual([]);
  });

  it("reports a command that is not executable as a failure to start", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-host-runner-")), "not-executable");
    writeFileSync(file, "#!/bin/sh\necho hi\n");
    chmodSync(file, 0o644);
    const exit = await run([file]).agent.exited;
    expect(exit.error).toBe(`spawn ${file} EACCES`);
  });

  it("reports arguments Node refuses to pass (a NUL byte in the message) as a failure to start", async () => {
    const exit = await run(replayAgent("--say", "a\u0000b")).agent.exited;
    expect(exit.error).toMatch(/must be a string without null bytes/);
  });

  it("keeps only the last MAX_STDERR_TAIL_CHARS characters of stderr", async () => {
    const noise = `${"early noise ".repeat(2000)}THE END`;
    const exit = await run(replayAgent("--stderr", noise, "--exit", "1")).agent.exited;
    expect(exit.stderrTail).toHaveLength(MAX_STDERR_TAIL_CHARS);
    expect(exit.stderrTail.endsWith("THE END")).toBe(true);
  });

  it("aborts with SIGTERM to the whole group: the agent's own child dies too", async () => {
    const { agent, lines } = run(replayAgent("--spawn-child", "--hang"));
    await waitUntil(() => lines.length > 0, "the child's pid");
    const childPid = JSON.parse(lines[0]!).childPid as number;
    expect(isAlive(childPid)).toBe(true);
    const abortedAt = Date.now();
    agent.abort();
    const exit = await agent.exited;
    expect(exit.signal).toBe("SIGTERM");
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    await waitUntil(() => !isAlive(childPid), "the grandchild to die", 2000);
  });

  it("sends SIGKILL to the group when SIGTERM is ignored, after the grace period", async () => {
    expect(KILL_AFTER_MS).toBe(5000);
    const { agent, lines } = run(replayAgent("--spawn-child", "--ignore-term", "--hang"), 500);
    await waitUntil(() => lines.length > 0, "the child's pid");
    const childPid = JSON.parse(lines[0]!).childPid as number;
    const abortedAt = Date.now();
    agent.abort();
    await waitUntil(() => lines.some((line) => line.includes('"ignored":"SIGTERM"')), "the agent to see SIGTERM");
    const exit = await agent.exited;
    const took = Date.now() - abortedAt;
    expect(exit.signal).toBe("SIGKILL");
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3000);
    await waitUntil(() => !isAlive(childPid), "the grandchild to die", 2000);
  });

  it("stops reading while paused, so a fast agent blocks instead of filling memory", async () => {
    const { agent, lines } = run(replayAgent("--burst", "200000"));
    await waitUntil(() => lines.length > 0, "the first lines");
    agent.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whilePaused = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.length).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(200_002);
    agent.resume();
    const exit = await agent.exited;
    expect(exit.code).toBe(0);
    expect(lines).toHaveLength(200_002);
    expect(lines.map((line) => JSON.parse(line).seq as number)).toEqual(Array.from({ length: 200_002 }, (_, i) => i + 1));
  });
});
