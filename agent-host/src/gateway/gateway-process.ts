// A gateway the host runs itself: `openclaw gateway run` on loopback with a token only this host knows,
// set up as openclaw's docs/gateway/embedding.md suggests for a supervised child (no Bonjour, no
// detached respawn, no channels). Restarted with backoff when it dies; stopped with the host.
// "Up" means its port accepts connections; the link then dials at once instead of waiting out the
// reference client's reconnect backoff (the gateway takes 9-12 s to start).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { MAX_STDERR_TAIL_CHARS } from "../../../protocol/limits.ts";
import { backoffDelay, type BackoffPolicy } from "../backoff.ts";
import { ANSI_ESCAPE, formatDuration, type Log } from "../log.ts";
import { StderrTail } from "../runner.ts";

/** openclaw exits 78 (EX_CONFIG) when its configuration is invalid. */
const EXIT_CONFIG = 78;
const RESTART_BACKOFF: BackoffPolicy = { minMs: 1_000, maxMs: 30_000 };
/** A gateway that stayed up this long starts the backoff afresh after it dies. */
const STABLE_AFTER_MS = 60_000;
const PORT_POLL_MS = 200;
const STOP_GRACE_MS = 5_000;

export const MANAGED_GATEWAY_ENV = {
  OPENCLAW_DISABLE_BONJOUR: "1",
  OPENCLAW_NO_RESPAWN: "1",
  OPENCLAW_SKIP_CHANNELS: "1",
} as const;

export interface ManagedGatewayOptions {
  /** The openclaw executable (and any leading arguments). */
  command: readonly string[];
  port: number;
  token: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: Log;
  /** The gateway's port accepts connections (after every start). */
  onUp: () => void;
}

export function managedGatewayArgs(port: number, token: string): string[] {
  // --allow-unconfigured: a person's config need not say gateway.mode=local for the host to run one.
  return ["gateway", "run", "--port", String(port), "--bind", "loopback", "--auth", "token", "--token", token, "--allow-unconfigured"];
}

export function newGatewayToken(): string {
  return randomBytes(24).toString("base64url");
}

export class ManagedGateway {
  readonly #options: ManagedGatewayOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: ManagedGatewayOptions) {
    this.#options = options;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#options.port}`;
  }

  start(): void {
    const { command, port, token, env, cwd, log } = this.#options;
    const [bin, ...leading] = command;
    const startedAt = performance.now();
    const stderr = new StderrTail(MAX_STDERR_TAIL_CHARS);
    const child = spawn(bin!, [...leading, ...managedGatewayArgs(port, token)], {
      cwd,
      env: { ...env, ...MANAGED_GATEWAY_ENV },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: stopping it reaches its workers too
    });
    this.#child = child;
    if (child.pid !== undefined) log(`openclaw gateway: started \`${command.join(" ")} gateway run --port ${port} --bind loopback\` (pid ${child.pid})`);
    child.stdout.resume(); // its log lines are not ours to keep; a full pipe would block it
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    this.#exited = new Promise((resolve) => {
      child.on("error", (error) => {
        log(`openclaw gateway: cannot start ${bin}: ${error.message}${(error as NodeJS.ErrnoException).code === "ENOENT" ? " (is openclaw installed and on the PATH?)" : ""}`);
      });
      child.on("close", (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        resolve();
        if (this.#stopping) return;
        const upFor = performance.now() - startedAt;
        if (upFor > STABLE_AFTER_MS) this.#failures = 0;
        // openclaw colours its log lines even into a pipe.
        const last = stderr.text().replace(ANSI_ESCAPE, "").trim().split("\n").at(-1) ?? "";
        const why = code === EXIT_CONFIG ? "its configuration is invalid (run `openclaw doctor`)" : signal ? `signal ${signal}` : `exit code ${code}`;
        const delay = backoffDelay(this.#failures++, RESTART_BACKOFF);
        if (child.pid === undefined) {
          log(`openclaw gateway: trying again in ${formatDuration(delay)}`); // why it could not start is logged above
        } else log(`openclaw gateway: stopped after ${formatDuration(upFor)} (${why})${last ? `: ${last}` : ""}; restarting in ${formatDuration(delay)}`);
        this.#restartTimer = setTimeout(() => this.start(), delay);
      });
    });
    void this.#whenPortOpen(child).then((open) => {
      if (open) this.#options.onUp();
    });
  }

  /** Stop the gateway (TERM to its group, KILL after a grace) and do not restart it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child?.pid) return;
    signalGroup(child.pid, "SIGTERM");
    const kill = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(kill);
  }

  /** SIGKILL the gateway's group now (the host process is exiting). */
  killNow(): void {
    this.#stopping = true;
    if (this.#child?.pid) signalGroup(this.#child.pid, "SIGKILL");
  }

  async #whenPortOpen(child: ChildProcess): Promise<boolean> {
    while (this.#child === child && !this.#stopping) {
      if (await portAccepts(this.#options.port)) return this.#child === child;
      await new Promise((resolve) => setTimeout(resolve, PORT_POLL_MS));
    }
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
