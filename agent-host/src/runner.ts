// One agent process: spawned without a shell in its own process group, stdout split into lines,
// stderr kept as a bounded tail, one exit report however it ends (including never starting).
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { MAX_STDERR_TAIL_CHARS } from "../../protocol/limits.ts";
import { LineSplitter } from "./line-splitter.ts";
import type { ApprovalAnswer } from "./run-link.ts";
import type { AgentExit } from "./run-outbox.ts";

/** Grace between SIGTERM and SIGKILL on abort. */
export const KILL_AFTER_MS = 5000;
/** After the agent exits, how long its stdout may stay open (held by a leftover child) before we stop reading. */
const STDIO_DRAIN_MS = 2000;

export interface AgentSpec {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A running agent, whatever the adapter: what the host needs to steer it. */
export interface AgentRun {
  /** SIGTERM to the whole process group, SIGKILL to it `killAfterMs` later if any of it is still alive. */
  abort(): void;
  /** SIGKILL to the group at once, synchronously (the host itself is exiting). */
  killNow(): void;
  /** Stop / restart reading stdout (the agent blocks on write once the pipe is full). */
  pause(): void;
  resume(): void;
  /**
   * A person's answer to an approval request the agent asked for in its lines. Only agents that ask
   * (the openclaw gateway adapter) have it; for the others such an answer is logged and dropped.
   */
  answerApproval?(answer: ApprovalAnswer): void;
  readonly exited: Promise<AgentExit>;
}

export interface SpawnOptions {
  /** Each line as the agent wrote it (LineSplitter). */
  onLines: (lines: Buffer[]) => void;
  killAfterMs?: number;
}

export function spawnAgent(spec: AgentSpec, options: SpawnOptions): AgentRun {
  const killAfterMs = options.killAfterMs ?? KILL_AFTER_MS;
  const [command, ...args] = spec.argv;
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(command!, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so abort reaches the agent's children too
    });
  } catch (error) {
    // Arguments Node refuses outright (a NUL byte in the message): the run fails, the host lives on.
    return neverStarted((error as Error).message);
  }

  const splitter = new LineSplitter();
  const stderr = new StderrTail(MAX_STDERR_TAIL_CHARS);
  let killTimer: NodeJS.Timeout | undefined;
  let aborted = false;
  let exitedAlready = false;

  child.stdout.on("data", (chunk: Buffer) => {
    const lines = splitter.push(chunk);
    if (lines.length > 0) options.onLines(lines);
  });
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));

  const exited = new Promise<AgentExit>((resolve) => {
    let settled = false;
    const settle = (exit: AgentExit) => {
      if (settled) return;
      settled = true;
      const lines = splitter.end();
      if (lines.length > 0) options.onLines(lines);
      exitedAlready = true;
      // After an abort the KILL stays armed while anything of the group is left (a child ignoring TERM).
      if (!signalGroup(0)) clearTimeout(killTimer);
      resolve({ ...exit, stderrTail: stderr.text() });
    };
    child.on("error", (error) => {
      if (child.pid === undefined) {
        // The bare cause: the edge shows it as "Failed to start agent: <cause>".
        const hint = (error as NodeJS.ErrnoException).code === "ENOENT" ? ` (is ${command} installed and on the PATH?)` : "";
        settle({ code: null, signal: null, stderrTail: "", error: `${error.message}${hint}` });
      }
    });
    child.on("exit", () => {
      // A leftover grandchild may keep stdout open forever; do not let it hold the run open.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, STDIO_DRAIN_MS).unref();
    });
    child.on("close", (code, signal) => settle({ code, signal, stderrTail: "" }));
  });

  /** Signal the agent's process group; false when none of it is left. */
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    if (child.pid === undefined) return false;
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // the whole group is gone
    }
  };

  return {
    abort() {
      if (aborted || exitedAlready || child.pid === undefined) return;
      aborted = true;
      signalGroup("SIGTERM");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), killAfterMs);
    },
    killNow() {
      if (!exitedAlready) signalGroup("SIGKILL");
    },
    pause() {
      child.stdout.pause();
    },
    resume() {
      child.stdout.resume();
    },
    exited,
  };
}

/** A run that failed before its agent existed: it only reports `error` as its exit. */
export function neverStarted(error: string): AgentRun {
  const nothing = () => {};
  return {
    abort: nothing,
    killNow: nothing,
    pause: nothing,
    resume: nothing,
    exited: Promise.resolve({ code: null, signal: null, stderrTail: "", error }),
  };
}

/** The last `maxChars` characters of a byte stream, decoded as UTF-8 across chunk boundaries. */
export class StderrTail {
  readonly #maxChars: number;
  readonly #decoder = new StringDecoder("utf8");
  #text = "";

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  push(chunk: Buffer): void {
    this.#text += this.#decoder.write(chunk);
    if (this.#text.length > this.#maxChars * 2) this.#text = this.#text.slice(-this.#maxChars);
  }

  text(): string {
    return (this.#text + this.#decoder.end()).slice(-this.#maxChars);
  }
}
