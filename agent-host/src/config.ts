// Flags and environment -> a validated configuration, or one readable sentence saying what is wrong.
import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { z } from "zod";
import { ID_PATTERN, MAX_RUNS_PER_HOST } from "../../protocol/limits.ts";
import { checkTemplate, parseCommandLine } from "./adapters/argv-template.ts";
import { DEFAULT_OPENCLAW_COMMAND, OPENCLAW_DEFAULT_MAX_RUNS } from "./adapters/openclaw.ts";
import { OPENCLAW_GATEWAY_DEFAULT_MAX_RUNS } from "./adapters/openclaw-gateway.ts";
import { BATCH_DELAY_MS } from "./run-link.ts";
import { UNACKED_BYTES_PAUSE } from "./run-outbox.ts";

export const AGENT_KINDS = ["openclaw", "openclaw-cli", "jsonl"] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** --max-runs when not given: what the agent can do at once (openclaw-cli: one turn per state directory). */
export const DEFAULT_MAX_RUNS: Record<AgentKind, number> = {
  openclaw: OPENCLAW_GATEWAY_DEFAULT_MAX_RUNS,
  "openclaw-cli": OPENCLAW_DEFAULT_MAX_RUNS,
  jsonl: 4,
};

export interface HostConfig {
  /** The edge's base URL as ws:// or wss:// (no trailing slash); socket paths are appended. */
  url: string;
  token: string;
  agent: AgentKind;
  /** The agent's argv template (see adapters/argv-template.ts). */
  command: string[];
  cwd: string;
  /** Extra environment for the agent, over the host's own. */
  env: Record<string, string>;
  maxRuns: number;
  /** Per run: unacknowledged output past which the agent's output is paused (see run-outbox.ts). */
  maxUnackedBytes: number;
  /** How long a frame's first line may wait for more lines (see run-link.ts). */
  batchDelayMs: number;
  hostId: string;
  /** --agent openclaw: a gateway to use (else found from openclaw's settings, or started by the host). */
  gatewayUrl?: string;
  gatewayToken?: string;
  /** --agent openclaw: the openclaw executable for a gateway the host starts. */
  openclawCommand: string[];
}

export class ConfigError extends Error {}

export const HELP = `agent-host: runs your agent CLI for an agent-relay edge and streams its output there.

Usage: agent-relay-host --url <edge URL> --token-file <path|-> [options]
       agent-relay-host service install|uninstall|status [options]
                       (run it as a systemd user service or a launchd agent; service --help)

  --url <url>          The relay's base URL, e.g. https://relay.example.workers.dev or
                       http://127.0.0.1:8787 (http -> ws, https -> wss). Env: RELAY_URL.
  --token-file <path>  A file holding the relay's HOST_TOKEN (chmod 600), or - to read it from
                       standard input. The way to give the token: the agent runs as your user
                       and could read it from the host's command line or initial environment.
                       Env RELAY_HOST_TOKEN works too, but stays readable in /proc/<pid>/environ
                       to every process of your user, agents included. There is no --token flag.
  --agent <kind>       openclaw (default): openclaw through its gateway (WebSocket protocol v4): a
                       gateway you run (found from openclaw's config, or --gateway-url), else
                       one the host starts on loopback and stops with it.
                       openclaw-cli: \`openclaw agent --local\` once per turn (slow start, one at once).
                       jsonl: any CLI that prints the agent's JSON event lines on stdout.
  --gateway-url <url>  openclaw: the gateway to use, e.g. ws://127.0.0.1:18789.
  --gateway-token <t>  openclaw: that gateway's token (env OPENCLAW_GATEWAY_TOKEN); needed until
                       the gateway has paired this host and issued it a device token.
  --openclaw-bin <path>
                       openclaw: the openclaw executable for a gateway the host starts
                       (default: openclaw on the PATH).
  --command <argv>     The agent's command line. A JSON array of strings, or plain words split on
                       spaces. {message} and {session} (the agent's session id) are replaced where
                       they are a whole argument; no shell is involved. Required with --agent jsonl.
                       Default with openclaw-cli:
                       ${DEFAULT_OPENCLAW_COMMAND.join(" ")}
  --cwd <dir>          Working directory of the agent (default: the current directory).
  --env KEY=VALUE      Extra environment for the agent; repeat for several.
  --max-runs <n>       Runs at once, across sessions, 1..${MAX_RUNS_PER_HOST}. A start beyond it is refused and
                       the browser says so. Default: 4 with openclaw and jsonl, 1 with
                       openclaw-cli (its state directory takes one turn at a time).
  --max-unacked-mib <n>
                       Memory bound per run (default 16): when this much of a run's output waits
                       for the edge's acknowledgement, the host stops reading the agent's output
                       (the agent blocks on write) until the edge catches up.
  --batch-ms <n>       How long a line may wait for more lines to share its frame (default 5,
                       0..1000). Longer: fewer frames, so fewer SQLite rows and requests at the
                       edge (its cost) but more latency; docs/performance.md measures the trade.
  --host-id <id>       This host's name at the edge, [A-Za-z0-9_-]{1,128} (default: from the
                       machine's hostname).
  -h, --help           This text.

Exit status: 0 after SIGINT/SIGTERM (runs aborted and reported first), 2 on bad configuration,
3 when the edge refuses the token, 4 when another connection took over this host's id with its
instance key (a second host started with a live host's --host-id is refused by the edge instead,
and this one keeps retrying).
`;

const flagsSchema = z.object({
  url: z
    .string({ error: "--url (or RELAY_URL) is required" })
    .transform((text, ctx) => {
      const wsUrl = toWebSocketUrl(text);
      if (!wsUrl) ctx.addIssue({ code: "custom", message: `--url must be an http(s) or ws(s) URL, got "${text}"` });
      return wsUrl ?? "";
    }),
  token: z.string({ error: "--token-file (or RELAY_HOST_TOKEN) is required" }).min(1, "the host token is empty"),
  agent: z.enum(AGENT_KINDS, { error: `--agent must be one of: ${AGENT_KINDS.join(", ")}` }).default("openclaw"),
  maxRuns: z.coerce
    .number({ error: "--max-runs must be a number" })
    .int("--max-runs must be a whole number")
    .min(1, "--max-runs must be at least 1")
    .max(MAX_RUNS_PER_HOST, `--max-runs must be at most ${MAX_RUNS_PER_HOST}`)
    .optional(),
  maxUnackedMib: z.coerce
    .number({ error: "--max-unacked-mib must be a number" })
    .int("--max-unacked-mib must be a whole number")
    .min(1, "--max-unacked-mib must be at least 1")
    .max(4096, "--max-unacked-mib must be at most 4096")
    .default(UNACKED_BYTES_PAUSE / 2 ** 20),
  batchDelayMs: z.coerce
    .number({ error: "--batch-ms must be a number" })
    .min(0, "--batch-ms must be at least 0")
    .max(1000, "--batch-ms must be at most 1000")
    .default(BATCH_DELAY_MS),
  hostId: z.string().regex(ID_PATTERN, "--host-id must match [A-Za-z0-9_-]{1,128}").default(defaultHostId),
  gatewayUrl: z
    .string()
    .refine((text) => /^wss?:\/\/[^/]/.test(text), "--gateway-url must be a ws:// or wss:// URL")
    .optional(),
  gatewayToken: z.string().min(1, "--gateway-token is empty").optional(),
});

/** The host's flags for parseArgs (`service install` passes them on to the service it writes). */
export const HOST_FLAGS = {
  url: { type: "string" },
  token: { type: "string" },
  "token-file": { type: "string" },
  agent: { type: "string" },
  command: { type: "string" },
  cwd: { type: "string" },
  env: { type: "string", multiple: true },
  "max-runs": { type: "string" },
  "max-unacked-mib": { type: "string" },
  "batch-ms": { type: "string" },
  "host-id": { type: "string" },
  "gateway-url": { type: "string" },
  "gateway-token": { type: "string" },
  "openclaw-bin": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Parse argv (without node and the script) and env. Returns "help" when --help was asked for.
 * `readToken` reads `--token-file` (`-`: standard input).
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, readToken: (path: string) => string = readTokenFile): HostConfig | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: HOST_FLAGS,
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) return "help";
  if (values.token !== undefined) {
    throw new ConfigError("--token is not accepted: a command line is readable by every process of your user, the agent included; use --token-file <path> or --token-file - (standard input)");
  }

  const parsed = flagsSchema.safeParse({
    url: values.url ?? env.RELAY_URL,
    token: values["token-file"] === undefined ? env.RELAY_HOST_TOKEN : readToken(values["token-file"]),
    agent: values.agent,
    maxRuns: values["max-runs"],
    maxUnackedMib: values["max-unacked-mib"],
    batchDelayMs: values["batch-ms"],
    hostId: values["host-id"],
    gatewayUrl: values["gateway-url"],
    gatewayToken: values["gateway-token"],
  });
  if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? "invalid configuration");

  const { maxUnackedMib, maxRuns, ...flags } = parsed.data;
  return {
    ...flags,
    maxRuns: maxRuns ?? DEFAULT_MAX_RUNS[flags.agent],
    maxUnackedBytes: maxUnackedMib * 2 ** 20,
    command: commandFor(parsed.data.agent, values.command),
    cwd: workingDirectory(values.cwd),
    env: parseEnvAssignments(values.env ?? []),
    openclawCommand: [values["openclaw-bin"] ?? "openclaw"],
  };
}

/** The token from a file or standard input (`-`), without the line ending an editor or echo adds. */
export function readTokenFile(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8").trim();
  } catch (error) {
    throw new ConfigError(`--token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function commandFor(agent: AgentKind, text: string | undefined): string[] {
  if (agent === "openclaw" && text !== undefined) {
    throw new ConfigError("--command is for --agent openclaw-cli and jsonl; the gateway adapter takes --openclaw-bin");
  }
  if (text === undefined) {
    if (agent === "jsonl") throw new ConfigError("--agent jsonl needs --command (the CLI to run)");
    return [...DEFAULT_OPENCLAW_COMMAND];
  }
  try {
    const argv = parseCommandLine(text);
    checkTemplate(argv);
    return argv;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function workingDirectory(dir: string | undefined): string {
  const path = resolve(dir ?? ".");
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new ConfigError(`--cwd ${path} does not exist`);
  }
  if (!isDirectory) throw new ConfigError(`--cwd ${path} is not a directory`);
  return path;
}

function parseEnvAssignments(assignments: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of assignments) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(assignment);
    if (!match) throw new ConfigError(`--env must look like KEY=VALUE, got "${assignment}"`);
    env[match[1]!] = match[2]!;
  }
  return env;
}

/** http(s) -> ws(s); ws(s) kept; anything else undefined. No trailing slash, no query. */
export function toWebSocketUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const scheme = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" }[url.protocol];
  if (!scheme || url.search || url.hash) return undefined;
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** The machine's hostname, reduced to the id charset. */
export function defaultHostId(): string {
  const id = hostname().replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 128);
  return id || "agent-host";
}
