// `agent-relay-host service ...` as a person runs it, against a temporary HOME, with the service manager
// (systemctl, launchctl) a fake command on PATH that logs how it was called and fails when told to.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runServiceCommand } from "../src/service.ts";
import { LAUNCHD_LABEL } from "../src/service-units.ts";
import { CLI } from "./support/host-process.ts";

const TOKEN = "host-token-for-the-service-test";
let root: string;
let home: string;
let bin: string;
let callLog: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "agent-relay-service-"));
  home = join(root, "home");
  bin = join(root, "bin");
  callLog = join(root, "calls");
  mkdirSync(home);
  mkdirSync(bin);
});

/** A fake `name` on PATH: logs its arguments; exits 1 with a message when they contain $FAIL_ON. */
function fakeCommand(name: string): void {
  const script = join(bin, name);
  writeFileSync(
    script,
    `#!/bin/sh
echo "${name} $*" >> "$CALL_LOG"
case " $* " in *" $FAIL_ON "*) if [ -n "$FAIL_ON" ]; then echo "Failed to $FAIL_ON: fake failure" >&2; exit 1; fi;; esac
exit 0
`,
  );
  chmodSync(script, 0o755);
}

function calls(): string[] {
  return existsSync(callLog) ? readFileSync(callLog, "utf8").trim().split("\n") : [];
}

function service(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [CLI, "service", ...args], {
    env: { HOME: home, PATH: bin, CALL_LOG: callLog, USER: "me", ...options.env },
    input: options.stdin,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const unitFile = () => join(home, ".config/systemd/user/agent-relay-host.service");
const tokenFile = () => join(home, ".config/agent-relay/host-token");
const installArgs = () => ["--url", "https://relay.example.workers.dev", "--agent", "jsonl", "--command", '["my-agent", "--say={message}"]', "--cwd", root, "--max-runs", "2", "--token-file", "-"];

describe("service install on Linux (systemd)", () => {
  it("copies the token into a file only the user can read, writes the unit running this host with the flags, enables and starts it", () => {
    fakeCommand("systemctl");
    const result = service(["install", ...installArgs()], { stdin: `${TOKEN}\n` });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`wrote ${unitFile()}`);

    expect(readFileSync(tokenFile(), "utf8").trim()).toBe(TOKEN);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, ".config/agent-relay")).mode & 0o777).toBe(0o700);
    const unit = readFileSync(unitFile(), "utf8");
    expect(unit).not.toContain(TOKEN);
    expect(unit).toContain(
      `ExecStart=${process.execPath} ${CLI} --url=https://relay.example.workers.dev --agent=jsonl "--command=[\\"my-agent\\", \\"--say={message}\\"]" --max-runs=2 --cwd=${root} --token-file=${tokenFile()}\n`,
    );
    expect(unit).toContain(`WorkingDirectory=${root}\n`);
    expect(unit).toContain(`Environment="PATH=${bin}"\n`);
    expect(calls()).toEqual([
      "systemctl --user show-environment",
      "systemctl --user daemon-reload",
      "systemctl --user enable agent-relay-host.service",
      "systemctl --user restart agent-relay-host.service",
    ]);
  });

  it("takes the token from a file, and the URL from RELAY_URL, never from the command line", () => {
    fakeCommand("systemctl");
    const given = join(root, "token");
    writeFileSync(given, TOKEN);
    const result = service(["install", "--agent", "jsonl", "--command", "my-agent {message}", "--cwd", root, "--token-file", given], { env: { RELAY_URL: "http://127.0.0.1:8787" } });
    expect(result.status).toBe(0);
    expect(readFileSync(tokenFile(), "utf8").trim()).toBe(TOKEN);
    expect(readFileSync(unitFile(), "utf8")).toMatch(/ExecStart=\S+ \S+ --url=http:\/\/127\.0\.0\.1:8787 --agent=jsonl /);

    const refused = service(["install", ...installArgs().slice(0, -2), "--token", TOKEN]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("--token is not accepted");
  });

  it("checks the host's flags first and writes nothing when they are wrong", () => {
    fakeCommand("systemctl");
    const result = service(["install", "--url", "ftp://nope", "--agent", "jsonl", "--command", "a {message}", "--token-file", "-"], { stdin: TOKEN });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--url must be an http(s) or ws(s) URL");
    expect(existsSync(join(home, ".config"))).toBe(false);
    expect(calls()).toEqual([]);
  });

  it("writes nothing when systemctl is absent or the user manager cannot be reached", () => {
    const absent = service(["install", ...installArgs()], { stdin: TOKEN });
    expect(absent.status).toBe(1);
    expect(absent.stderr).toContain("systemctl not found on PATH; nothing was changed");

    fakeCommand("systemctl");
    const unreachable = service(["install", ...installArgs()], { stdin: TOKEN, env: { FAIL_ON: "show-environment" } });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach your systemd user manager");
    expect(unreachable.stderr).toContain("fake failure");
    expect(existsSync(join(home, ".config"))).toBe(false);
  });

  it("puts back what was there when systemctl fails half way: no unit, no token left from a first install", () => {
    fakeCommand("systemctl");
    const result = service(["install", ...installArgs()], { stdin: TOKEN, env: { FAIL_ON: "restart" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("systemctl --user restart agent-relay-host.service failed (exit 1): Failed to restart: fake failure");
    expect(existsSync(unitFile())).toBe(false);
    expect(existsSync(tokenFile())).toBe(false);
    expect(calls().slice(-2)).toEqual(["systemctl --user disable --now agent-relay-host.service", "systemctl --user daemon-reload"]);
  });

  it("keeps the previous unit and token when a second install fails", () => {
    fakeCommand("systemctl");
    expect(service(["install", ...installArgs()], { stdin: TOKEN }).status).toBe(0);
    const unitBefore = readFileSync(unitFile(), "utf8");
    const failed = service(["install", ...installArgs().map((arg) => (arg === "2" ? "3" : arg))], { stdin: "another-token", env: { FAIL_ON: "restart" } });
    expect(failed.status).toBe(1);
    expect(readFileSync(unitFile(), "utf8")).toBe(unitBefore);
    expect(readFileSync(tokenFile(), "utf8").trim()).toBe(TOKEN);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
  });

  it("status shows the files and what systemctl says; uninstall stops, disables and removes them", () => {
    fakeCommand("systemctl");
    expect(service(["install", ...installArgs()], { stdin: TOKEN }).status).toBe(0);
    const status = service(["status"]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`service file: ${unitFile()} (mode 644)`);
    expect(status.stdout).toContain(`token file:   ${tokenFile()} (mode 600)`);
    expect(calls().at(-1)).toBe("systemctl --user status --no-pager agent-relay-host.service");

    const uninstall = service(["uninstall"]);
    expect(uninstall.status).toBe(0);
    expect(uninstall.stdout).toContain(`removed ${unitFile()} and ${tokenFile()}`);
    expect(existsSync(unitFile())).toBe(false);
    expect(existsSync(tokenFile())).toBe(false);
    expect(calls().slice(-3)).toEqual([
      "systemctl --user show-environment",
      "systemctl --user disable --now agent-relay-host.service",
      "systemctl --user daemon-reload",
    ]);
    expect(service(["uninstall"]).stdout).toContain("no agent-relay-host service was installed");
  });

  it("says what it takes when the action is missing or unknown", () => {
    expect(service([]).stderr).toContain("service needs install, uninstall or status");
    expect(service(["start"]).status).toBe(2);
    expect(service(["--help"]).stdout).toContain("agent-relay-host service install --url");
  });
});

describe("service install on macOS (launchd)", () => {
  function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    let out = "";
    let err = "";
    const status = runServiceCommand(args, {
      platform: "darwin",
      env: { HOME: home, PATH: bin, CALL_LOG: callLog, ...env },
      entry: "/usr/local/lib/node_modules/agent-relay-host/dist/cli.js",
      node: "/usr/local/bin/node",
      uid: 501,
      out: (text) => (out += text),
      err: (text) => (err += text),
      readToken: () => TOKEN,
    });
    return { status, out, err };
  }
  const plist = () => join(home, `Library/LaunchAgents/${LAUNCHD_LABEL}.plist`);

  it("writes the agent's plist and the token file, and loads it into the user's GUI domain", () => {
    fakeCommand("launchctl");
    const result = run(["install", "--url", "https://relay.example.workers.dev", "--cwd", root, "--token-file", "-"], { CALL_LOG: callLog });
    expect(result.err).toBe("");
    expect(result.status).toBe(0);
    const written = readFileSync(plist(), "utf8");
    expect(written).toContain(`<string>--token-file=${tokenFile()}</string>`);
    expect(written).toContain(`<key>StandardErrorPath</key><string>${join(home, "Library/Logs/agent-relay-host.log")}</string>`);
    expect(written).not.toContain(TOKEN);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(calls()).toEqual([
      `launchctl bootout gui/501/${LAUNCHD_LABEL}`,
      `launchctl enable gui/501/${LAUNCHD_LABEL}`,
      `launchctl bootstrap gui/501 ${plist()}`,
    ]);

    expect(run(["uninstall"]).status).toBe(0);
    expect(existsSync(plist())).toBe(false);
    expect(existsSync(tokenFile())).toBe(false);
    expect(calls().at(-1)).toBe(`launchctl bootout gui/501/${LAUNCHD_LABEL}`);
  });

  it("removes what it wrote when launchctl refuses the plist", () => {
    fakeCommand("launchctl");
    const result = run(["install", "--url", "https://relay.example.workers.dev", "--cwd", root, "--token-file", "-"], { FAIL_ON: "bootstrap" });
    expect(result.status).toBe(1);
    expect(result.err).toContain("launchctl bootstrap gui/501");
    expect(existsSync(plist())).toBe(false);
    expect(existsSync(tokenFile())).toBe(false);
  });
});
