// What `agent-relay-host service install` writes: a systemd user unit (Linux) or a launchd agent
// (macOS), rendered from one description of the service (pure; service.ts writes and enables them).
// The token is never in them: the host reads it from `tokenFile` (mode 600), see agent-host/README.md.
import { NO_RESTART_EXIT_STATUSES } from "./exit-status.ts";

export const SYSTEMD_UNIT_NAME = "agent-relay-host.service";
export const LAUNCHD_LABEL = "dev.agent-relay.host";

export interface ServiceSpec {
  /** Absolute path of the Node that runs the host. */
  node: string;
  /** Absolute path of the host's entry point (dist/cli.js, or src/cli.ts in a clone). */
  entry: string;
  /** The host's flags, without --token-file (added from `tokenFile`). */
  args: string[];
  /** The agent's working directory, absolute; also the service's. */
  workingDirectory: string;
  /** PATH for the host and its agent (the agent CLI and the Node it needs must be on it). */
  path: string;
  tokenFile: string;
  /** launchd only: where the host's log (stderr) goes. systemd sends it to the journal. */
  logFile: string;
}

export class ServiceSpecError extends Error {}

/** The host's command line, token file last. */
export function hostCommand(spec: ServiceSpec): string[] {
  return [spec.node, spec.entry, ...spec.args, `--token-file=${spec.tokenFile}`];
}

/** A unit file line cannot hold a line break, nor can a plist string hold most control characters. */
function checkValues(spec: ServiceSpec): void {
  for (const value of [...hostCommand(spec), spec.workingDirectory, spec.path, spec.logFile]) {
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new ServiceSpecError(`a service cannot carry a control character or line break: ${JSON.stringify(value)}`);
  }
}

/** systemd expands %specifiers in every value and $VARIABLES in command lines: double them. */
function systemdLiteral(text: string): string {
  return text.replace(/%/g, "%%");
}

/** One ExecStart word: bare when it is plain, else double-quoted with \ and " escaped (systemd.syntax). */
export function systemdWord(word: string): string {
  const literal = systemdLiteral(word).replace(/\$/g, "$$$$");
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? literal : `"${literal.replace(/[\\"]/g, "\\$&")}"`;
}

export function renderSystemdUnit(spec: ServiceSpec): string {
  checkValues(spec);
  const quotedEnvironment = (assignment: string) => `"${systemdLiteral(assignment).replace(/[\\"]/g, "\\$&")}"`;
  return `# Written by \`agent-relay-host service install\`; \`agent-relay-host service uninstall\` removes it.
[Unit]
Description=agent-relay agent host
After=network-online.target
Wants=network-online.target

[Service]
WorkingDirectory=${systemdLiteral(spec.workingDirectory)}
# the PATH service install ran with: the agent CLI (and the Node it needs) must be on it
Environment=${quotedEnvironment(`PATH=${spec.path}`)}
# the token in a file only you can read (mode 600), never in Environment= (see the trust boundary)
ExecStart=${hostCommand(spec).map(systemdWord).join(" ")}
# SIGTERM to the host only: it aborts its agents itself and reports them to the relay
KillMode=mixed
TimeoutStopSec=15
Restart=on-failure
RestartSec=5
# bad flags (2), a refused token (3) and a gateway of another protocol version (5) will not fix themselves
RestartPreventExitStatus=${NO_RESTART_EXIT_STATUSES.join(" ")}

[Install]
WantedBy=default.target
`;
}

function xmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderLaunchdPlist(spec: ServiceSpec): string {
  checkValues(spec);
  const string = (text: string) => `<string>${xmlText(text)}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`agent-relay-host service install\`; \`agent-relay-host service uninstall\` removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>${string(LAUNCHD_LABEL)}
  <key>WorkingDirectory</key>${string(spec.workingDirectory)}
  <key>ProgramArguments</key>
  <array>
${hostCommand(spec).map((word) => `    ${string(word)}`).join("\n")}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <!-- the PATH service install ran with: the agent CLI (and the Node it needs) must be on it -->
    <key>PATH</key>${string(spec.path)}
  </dict>
  <key>RunAtLoad</key><true/>
  <!-- restart after a crash, not after a clean stop -->
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <!-- launchd restarts on any other exit, a refused token (3) too: at most once every 30 s -->
  <key>ThrottleInterval</key><integer>30</integer>
  <key>ExitTimeOut</key><integer>15</integer>
  <key>StandardErrorPath</key>${string(spec.logFile)}
</dict>
</plist>
`;
}
