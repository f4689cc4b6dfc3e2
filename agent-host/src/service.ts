// `agent-relay-host service install|uninstall|status`: keep the host running as a systemd user unit
// (Linux) or a launchd agent (macOS). Install validates the host's flags as the host would, copies the
// token into a file only the user can read, writes the unit (service-units.ts) and enables it; a
// failure on the way puts back what was there before. The service manager is the real command on PATH.
import { spawnSync, type StdioOptions } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, HOST_FLAGS, loadConfig } from "./config.ts";
import { LAUNCHD_LABEL, renderLaunchdPlist, renderSystemdUnit, ServiceSpecError, SYSTEMD_UNIT_NAME, type ServiceSpec } from "./service-units.ts";

const SERVICE_HELP = `agent-relay-host service: keep the host running, as a systemd user service (Linux) or a
launchd agent (macOS).

  agent-relay-host service install --url <relay URL> --token-file <path|-> [host options]
      Checks the host options (as agent-relay-host --help lists them), copies the token into
      ~/.config/agent-relay/host-token (mode 600), writes the service with this Node, this
      agent-relay-host and your current PATH (the agent CLI must be on it), enables and (re)starts
      it. Run it again to change the options. The token is never written into the service.
  agent-relay-host service uninstall
      Stops and disables the service, removes it and the token file.
  agent-relay-host service status
      Where the files are, and what the service manager says.

Exit status: 0 done, 1 the service manager failed (nothing left half-installed), 2 bad options.
`;

const EXIT_SERVICE_FAILED = 1;
const EXIT_SERVICE_USAGE = 2;

export interface ServiceContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Absolute path of the running host's entry point. */
  entry: string;
  node: string;
  uid: number;
  out: (text: string) => void;
  err: (text: string) => void;
  /** `--token-file -` reads this process's standard input. */
  readToken?: (path: string) => string;
}

class ServiceError extends Error {}

interface ServiceFiles {
  manager: "systemd" | "launchd";
  /** The unit file or the plist. */
  unitFile: string;
  tokenFile: string;
  logFile: string;
}

function serviceFiles(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): ServiceFiles {
  const home = env.HOME || homedir();
  const config = env.XDG_CONFIG_HOME || join(home, ".config");
  const tokenFile = join(config, "agent-relay", "host-token");
  if (platform === "linux") {
    return { manager: "systemd", unitFile: join(config, "systemd", "user", SYSTEMD_UNIT_NAME), tokenFile, logFile: "" };
  }
  if (platform === "darwin") {
    return { manager: "launchd", unitFile: join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`), tokenFile, logFile: join(home, "Library", "Logs", "agent-relay-host.log") };
  }
  throw new ServiceError(`service: no service manager known on ${platform} (systemd on Linux, launchd on macOS); run agent-relay-host under your own supervisor`);
}

/** `agent-relay-host service <argv>`; returns the exit status. */
export function runServiceCommand(argv: readonly string[], context: ServiceContext): number {
  const [action, ...args] = argv;
  try {
    if (action === "install") return install(args, context);
    if (action === "uninstall" || action === "status") {
      if (args.length > 0) throw new ConfigError(`service ${action} takes no options, got "${args[0]}"`);
      return action === "uninstall" ? uninstall(context) : status(context);
    }
    if (action === "--help" || action === "-h" || action === "help") {
      context.out(SERVICE_HELP);
      return 0;
    }
    throw new ConfigError(action === undefined ? "service needs install, uninstall or status" : `service: unknown action "${action}" (install, uninstall or status)`);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ServiceSpecError) {
      context.err(`agent-relay-host: ${error.message} (see service --help)\n`);
      return EXIT_SERVICE_USAGE;
    }
    if (error instanceof ServiceError) {
      context.err(`agent-relay-host: ${error.message}\n`);
      return EXIT_SERVICE_FAILED;
    }
    throw error;
  }
}

/**
 * The host flags the service runs with: those given, minus the token and --cwd, with --url from RELAY_URL
 * when it came from there, then the absolute --cwd. Each as --name=value, so a value starting with `-`
 * stays a value.
 */
function serviceArgs(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string[] {
  const { tokens } = parseArgs({ args: [...args], options: HOST_FLAGS, strict: true, allowPositionals: false, tokens: true });
  const kept: string[] = [];
  let hasUrl = false;
  for (const token of tokens) {
    if (token.kind !== "option" || ["token", "token-file", "cwd", "help"].includes(token.name)) continue;
    hasUrl ||= token.name === "url";
    kept.push(`--${token.name}=${token.value ?? ""}`);
  }
  if (!hasUrl && env.RELAY_URL) kept.unshift(`--url=${env.RELAY_URL}`);
  return [...kept, `--cwd=${cwd}`];
}

function install(args: readonly string[], context: ServiceContext): number {
  const files = serviceFiles(context.platform, context.env);
  // The same checks the host makes at start, now rather than in a restart loop of the service.
  const config = loadConfig(args, context.env, context.readToken);
  if (config === "help") {
    context.out(SERVICE_HELP);
    return 0;
  }
  const spec: ServiceSpec = {
    node: context.node,
    entry: context.entry,
    args: serviceArgs(args, context.env, config.cwd),
    workingDirectory: config.cwd,
    path: context.env.PATH ?? "",
    tokenFile: files.tokenFile,
    logFile: files.logFile,
  };
  const unit = files.manager === "systemd" ? renderSystemdUnit(spec) : renderLaunchdPlist(spec);
  const manager = serviceManager(files, context);
  manager.check();

  const previous = [snapshot(files.unitFile), snapshot(files.tokenFile)];
  try {
    mkdirSync(dirname(files.tokenFile), { recursive: true, mode: 0o700 });
    writePrivately(files.tokenFile, `${config.token}\n`);
    mkdirSync(dirname(files.unitFile), { recursive: true });
    writeFileSync(files.unitFile, unit, { mode: 0o644 });
    manager.enable();
  } catch (error) {
    for (const file of previous) file.restore();
    manager.afterRollback(previous[0]!.existed);
    throw error;
  }
  if (context.entry.includes("/_npx/")) {
    context.err(`agent-relay-host: warning: the service runs ${context.entry}, in npx's cache, which npm may clean; for a service, install it first (npm install -g agent-relay-host) and run service install from there\n`);
  }
  context.out(`${manager.installed}\n`);
  return 0;
}

function uninstall(context: ServiceContext): number {
  const files = serviceFiles(context.platform, context.env);
  const manager = serviceManager(files, context);
  manager.check();
  manager.disable();
  const removed = [files.unitFile, files.tokenFile].filter((file) => existsSync(file));
  for (const file of removed) rmSync(file);
  manager.afterRemove();
  context.out(removed.length > 0 ? `removed ${removed.join(" and ")}; the service is stopped and disabled\n` : "no agent-relay-host service was installed\n");
  return 0;
}

function status(context: ServiceContext): number {
  const files = serviceFiles(context.platform, context.env);
  const describe = (file: string) => {
    try {
      return `${file} (mode ${(statSync(file).mode & 0o777).toString(8)})`;
    } catch {
      return `${file} (absent)`;
    }
  };
  context.out(`service file: ${describe(files.unitFile)}\ntoken file:   ${describe(files.tokenFile)}\n`);
  if (files.logFile) context.out(`log:          ${files.logFile}\n`);
  const manager = serviceManager(files, context);
  manager.check();
  return manager.status();
}

/** The token file is created with mode 600 and renamed into place, so it is never readable by others. */
function writePrivately(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask may have taken bits away, never added: set exactly 600
  renameSync(temporary, file);
}

function snapshot(file: string): { existed: boolean; restore(): void } {
  let content: Buffer | undefined;
  let mode = 0o600;
  try {
    content = readFileSync(file);
    mode = statSync(file).mode & 0o777;
  } catch {
    // absent
  }
  return {
    existed: content !== undefined,
    restore() {
      if (content === undefined) rmSync(file, { force: true });
      else writeFileSync(file, content, { mode });
    },
  };
}

interface ServiceManager {
  /** Throws a ServiceError (before anything is written) when the manager cannot be used. */
  check(): void;
  enable(): void;
  /** After a failed enable and the files put back: the manager's view follows them (best effort). */
  afterRollback(unitExisted: boolean): void;
  disable(): void;
  afterRemove(): void;
  status(): number;
  /** What install says when done. */
  installed: string;
}

function serviceManager(files: ServiceFiles, context: ServiceContext): ServiceManager {
  const run = (command: string, args: string[], stdio: StdioOptions = "pipe") => {
    const result = spawnSync(command, args, { env: context.env, encoding: "utf8", stdio });
    if (result.error) throw new ServiceError(`${command} ${args.join(" ")}: ${result.error.message}`);
    return { status: result.status ?? 1, output: `${result.stderr ?? ""}${result.stdout ?? ""}`.trim() };
  };
  const must = (command: string, args: string[]) => {
    const result = run(command, args);
    if (result.status !== 0) throw new ServiceError(`${command} ${args.join(" ")} failed (exit ${result.status})${result.output ? `: ${result.output}` : ""}`);
  };
  const attempt = (command: string, args: string[]) => {
    try {
      run(command, args);
    } catch {
      // best effort: the error that matters is already being reported
    }
  };
  const onPath = (command: string) => {
    const found = (context.env.PATH ?? "").split(delimiter).some((dir) => {
      try {
        accessSync(join(dir || ".", command), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) throw new ServiceError(`service: ${command} not found on PATH; nothing was changed`);
  };

  if (files.manager === "systemd") {
    const systemctl = (...args: string[]) => ["--user", ...args];
    return {
      check() {
        onPath("systemctl");
        // Reaching the user's service manager fails without a login session (ssh without lingering,
        // containers): better said now than after writing the unit.
        const reached = run("systemctl", systemctl("show-environment"));
        if (reached.status !== 0) throw new ServiceError(`service: cannot reach your systemd user manager (systemctl --user: ${reached.output || `exit ${reached.status}`}); nothing was changed`);
      },
      enable() {
        must("systemctl", systemctl("daemon-reload"));
        must("systemctl", systemctl("enable", SYSTEMD_UNIT_NAME));
        // restart, not start: a second install applies its new options to a running host
        must("systemctl", systemctl("restart", SYSTEMD_UNIT_NAME));
      },
      afterRollback(unitExisted) {
        if (!unitExisted) attempt("systemctl", systemctl("disable", "--now", SYSTEMD_UNIT_NAME));
        attempt("systemctl", systemctl("daemon-reload"));
      },
      disable() {
        if (existsSync(files.unitFile)) must("systemctl", systemctl("disable", "--now", SYSTEMD_UNIT_NAME));
      },
      afterRemove() {
        must("systemctl", systemctl("daemon-reload"));
      },
      status: () => run("systemctl", systemctl("status", "--no-pager", SYSTEMD_UNIT_NAME), ["ignore", "inherit", "inherit"]).status,
      installed: [
        `wrote ${files.unitFile} and ${files.tokenFile} (mode 600); ${SYSTEMD_UNIT_NAME} is enabled and started`,
        `  its state: agent-relay-host service status`,
        `  its log:   journalctl --user -u agent-relay-host -f`,
        `  to keep it running while you are logged out: loginctl enable-linger ${context.env.USER ?? "$USER"}`,
      ].join("\n"),
    };
  }

  const domain = `gui/${context.uid}`;
  const service = `${domain}/${LAUNCHD_LABEL}`;
  return {
    check: () => onPath("launchctl"),
    enable() {
      attempt("launchctl", ["bootout", service]); // not loaded yet on a first install
      must("launchctl", ["enable", service]);
      must("launchctl", ["bootstrap", domain, files.unitFile]);
    },
    afterRollback(unitExisted) {
      if (unitExisted) attempt("launchctl", ["bootstrap", domain, files.unitFile]);
    },
    disable() {
      attempt("launchctl", ["bootout", service]); // not an error when it is not loaded
    },
    afterRemove() {},
    status: () => run("launchctl", ["print", service], ["ignore", "inherit", "inherit"]).status,
    installed: [
      `wrote ${files.unitFile} and ${files.tokenFile} (mode 600); ${LAUNCHD_LABEL} is loaded and started`,
      `  its state: agent-relay-host service status`,
      `  its log:   tail -f ${files.logFile}`,
    ].join("\n"),
  };
}
