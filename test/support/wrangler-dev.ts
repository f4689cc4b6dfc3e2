// `wrangler dev` on local workerd, on a free loopback port, with test secrets and its own persisted
// state directory, so a test can kill it and start it again on the same state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UIMessage } from "ai";
import { offlineWranglerEnv } from "../../scripts/offline-env.ts";
import { wranglerCommand } from "../../scripts/wrangler-bin.ts";
import { freePort } from "./free-port.ts";
import { spawnGroup, type GroupProcess } from "./process-group.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface WranglerDevOptions {
  relayToken?: string;
  hostToken?: string;
  /** Extra vars, e.g. { HOST_GRACE_MS: "3000" }. */
  vars?: Record<string, string>;
  /** Another entry module than wrangler.jsonc's `main` (the bench's metered Worker), same config. */
  script?: string;
}

export class WranglerDev {
  readonly relayToken: string;
  readonly hostToken: string;
  readonly persistTo = mkdtempSync(join(tmpdir(), "agent-relay-state-"));
  private process: GroupProcess | null = null;
  /** Where the Worker's DevTools protocol answers (`/json` lists it), once started. */
  inspectorPort = 0;
  private port = 0;
  private readonly vars: Record<string, string>;
  private readonly script: string[];

  constructor(options: WranglerDevOptions = {}) {
    this.script = options.script ? [options.script] : [];
    this.relayToken = options.relayToken ?? `relay-${crypto.randomUUID()}`;
    this.hostToken = options.hostToken ?? `host-${crypto.randomUUID()}`;
    this.vars = { RELAY_TOKEN: this.relayToken, HOST_TOKEN: this.hostToken, ...options.vars };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port and state) and waits until it answers. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.inspectorPort = await freePort();
    const vars = Object.entries(this.vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
    const wrangler = wranglerCommand(
      ["dev", ...this.script, "--ip", "127.0.0.1", "--port", String(this.port), "--inspector-port", String(this.inspectorPort), "--persist-to", this.persistTo, "--show-interactive-dev-session=false", "--log-level", "warn", ...vars],
    );
    this.process = spawnGroup(wrangler.command, wrangler.args, { cwd: PROJECT_ROOT, env: { ...offlineWranglerEnv(process.env), CI: "true" } });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.process.child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${this.process.output()}`);
      try {
        const response = await fetch(`${this.url}/api/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`wrangler dev did not answer within 60 s:\n${this.process.output()}`);
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = null;
  }

  /** Stops it for good and removes its persisted state. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.persistTo, { recursive: true, force: true });
  }

  output(): string {
    return this.process?.output() ?? "";
  }

  /** A browser's request with the relay token. */
  api(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.relayToken}`);
    return fetch(`${this.url}${path}`, { ...init, headers });
  }

  /**
   * A session's last message as `GET /api/chat/:id/messages` returns it, in the shape the stream's message
   * has: without the `streaming` flag, which must be false by then.
   */
  async storedAnswer(sessionId: string): Promise<UIMessage> {
    const history = (await (await this.api(`/api/chat/${sessionId}/messages`)).json()) as UIMessage[];
    const answer = history.at(-1);
    if (!answer) throw new Error(`session ${sessionId} has no messages`);
    const { streaming, ...metadata } = answer.metadata as { streaming?: unknown };
    if (streaming !== false) throw new Error(`the last message of session ${sessionId} has streaming: ${String(streaming)}`);
    return { ...answer, metadata };
  }

  async hostsConnected(): Promise<number> {
    const health = (await (await fetch(`${this.url}/api/health`)).json()) as { hostsConnected: number };
    return health.hostsConnected;
  }
}
