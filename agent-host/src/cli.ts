// Entry point: `agent-relay-host --url <edge> ...` (built to dist/cli.js, Node >= 22), or in a clone
// `node agent-host/src/cli.ts ...` (Node >= 24, TypeScript run directly). `... service ...`: service.ts.
import { fileURLToPath } from "node:url";
import { templateWarning } from "./adapters/argv-template.ts";
import { createAgentBackend } from "./adapters/backend.ts";
import { ConfigError, HELP, loadConfig, type HostConfig } from "./config.ts";
import { EXIT_AGENT_UNUSABLE, EXIT_BAD_CONFIG, EXIT_HOST_ID_TAKEN, EXIT_TOKEN_REFUSED } from "./exit-status.ts";
import { AgentHost } from "./host.ts";
import { count, createLog } from "./log.ts";
import { runServiceCommand } from "./service.ts";


function readConfig(): HostConfig {
  try {
    const config = loadConfig(process.argv.slice(2), process.env);
    if (config !== "help") return config;
    process.stdout.write(HELP);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`agent-host: ${error.message} (see --help)\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
}

if (process.argv[2] === "service") {
  process.exit(runServiceCommand(process.argv.slice(3), {
    platform: process.platform,
    env: process.env,
    entry: fileURLToPath(import.meta.url),
    node: process.execPath,
    uid: process.getuid?.() ?? 0,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }));
}

const config = readConfig();
// Keep the token out of what this process hands on (agents get their environment from
// agentEnvironment(), which drops it too). /proc/<pid>/environ still shows the environment the host
// was started with: that is why --token-file is the way to give it (agent-host/README.md).
delete process.env.RELAY_HOST_TOKEN;
const log = createLog();
const warning = templateWarning(config.command);
if (warning) log(`warning: ${warning}`);
let exiting = false;

const backend = createAgentBackend(config, log);
const host = new AgentHost(config, {
  adapter: backend.adapter,
  log,
  onTokenRefused: (url) => exitBecause(`token refused by ${url}`, EXIT_TOKEN_REFUSED),
  onHostIdTaken: (hostId) =>
    exitBecause(`another connection took over "${hostId}" with this host's instance key; stopping rather than fight over it`, EXIT_HOST_ID_TAKEN),
});

/** The host cannot go on: stop its runs the usual way, say why, and exit with `code`. */
function exitBecause(reason: string, code: number): void {
  if (exiting) return;
  exiting = true;
  process.stderr.write(`agent-host: ${reason}\n`);
  void stopAll().then(() => process.exit(code));
}

/** The runs first (they may still talk to the agent's gateway), then the backend. */
async function stopAll(): Promise<void> {
  await host.shutdown();
  await backend.stop();
}

// First signal: abort the runs and report them; a second one: kill them and leave at once.
const onSignal = (signal: NodeJS.Signals) => {
  if (exiting) {
    log(`${signal} again: killing ${count(host.runCount, "run")} and exiting now`);
    process.exit(130);
  }
  exiting = true;
  log(`${signal}: aborting ${count(host.runCount, "run")}, then exiting`);
  void stopAll().then(() => process.exit(0));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// The agents run in their own process groups and would outlive the host: never leave one behind.
process.on("exit", () => {
  host.killAllNow();
  backend.killNow();
});

// The relay hears from the host only once the agent can take a run (a gateway may take 10 s to start).
backend.ready.then(
  () => {
    if (!exiting) host.start();
  },
  (error: Error) => exitBecause(error.message, EXIT_AGENT_UNUSABLE),
);
