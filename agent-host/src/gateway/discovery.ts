// Finding a gateway the person already runs (openclaw's usual daemon), from openclaw's own settings:
// OPENCLAW_GATEWAY_URL (+ OPENCLAW_GATEWAY_TOKEN / _PASSWORD), else the config file's `gateway` block
// (`gateway.port`, `gateway.auth.token` / `.password`; port precedence as openclaw's
// docs/gateway/config-gateway.md: OPENCLAW_GATEWAY_PORT > gateway.port > 18789). A gateway counts as
// running when its port answers with a `connect.challenge`.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { WebSocket } from "ws";

export const DEFAULT_GATEWAY_PORT = 18789;
const PROBE_TIMEOUT_MS = 1_500;

export interface GatewayTarget {
  url: string;
  token?: string;
  password?: string;
  /** Where the settings came from, for the log. */
  source: string;
}

/** openclaw's config file for this environment (OPENCLAW_CONFIG_PATH, else <state dir>/openclaw.json). */
export function openclawConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.OPENCLAW_CONFIG_PATH) return env.OPENCLAW_CONFIG_PATH;
  return join(env.OPENCLAW_STATE_DIR || join(env.HOME || homedir(), ".openclaw"), "openclaw.json");
}

/** The gateway openclaw's settings point at, or undefined when they configure none. */
export function configuredGateway(env: NodeJS.ProcessEnv): GatewayTarget | undefined {
  const envAuth = { token: env.OPENCLAW_GATEWAY_TOKEN || undefined, password: env.OPENCLAW_GATEWAY_PASSWORD || undefined };
  if (env.OPENCLAW_GATEWAY_URL) return { url: env.OPENCLAW_GATEWAY_URL, ...envAuth, source: "OPENCLAW_GATEWAY_URL" };
  const path = openclawConfigPath(env);
  const gateway = readGatewayBlock(path);
  if (!gateway && !env.OPENCLAW_GATEWAY_PORT && !envAuth.token && !envAuth.password) return undefined;
  const auth = (gateway?.auth ?? {}) as Record<string, unknown>;
  const port = Number(env.OPENCLAW_GATEWAY_PORT) || (typeof gateway?.port === "number" ? gateway.port : DEFAULT_GATEWAY_PORT);
  return {
    url: `ws://127.0.0.1:${port}`,
    token: secret(auth.token, env) ?? envAuth.token,
    password: secret(auth.password, env) ?? envAuth.password,
    source: gateway ? path : "OPENCLAW_GATEWAY_* variables",
  };
}

function readGatewayBlock(path: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const config = JSON5.parse(text) as Record<string, unknown>;
    const gateway = config?.gateway;
    return typeof gateway === "object" && gateway !== null ? (gateway as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // an invalid config is openclaw's to report; the host then runs its own gateway
  }
}

/** A plain string, or "${VAR}" taken from the environment (openclaw's env substitution); SecretRefs are not read. */
function secret(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value !== "string" || !value) return undefined;
  const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  return reference ? env[reference[1]!] || undefined : value;
}

/** Does a gateway answer at `url` (it sends `connect.challenge` first thing)? */
export function answersChallenge(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.terminate();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("message", (data) => {
      try {
        done((JSON.parse(String(data)) as { event?: unknown }).event === "connect.challenge");
      } catch {
        done(false);
      }
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
  });
}
