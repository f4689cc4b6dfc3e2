// The real agent host, started as a person would start it: `node agent-host/src/cli.ts ...`.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitUntil } from "./fixture-agent.ts";

export const CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface HostProcess {
  child: ChildProcess;
  /** Everything the host wrote to stderr (its log) so far. */
  readonly log: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `stdin`: what the host reads on standard input (e.g. the token, with `--token-file -`). */
export function startHost(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): HostProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, RELAY_HOST_TOKEN: undefined, RELAY_URL: undefined, ...env },
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (log += text));
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (log += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  void exited.then(() => (running = false));
  return {
    child,
    get log() {
      return log;
    },
    exited,
    waitForLog: (text, timeoutMs = 15_000) =>
      waitUntil(() => (typeof text === "string" ? log.includes(text) : text.test(log)), `host log ${text}`, timeoutMs),
    /** SIGTERM (the host aborts and reports its runs), SIGKILL if it is still there after 10 s. */
    async stop() {
      if (!running) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
