// What `service install` writes, rendered without I/O; and, where systemd-analyze is installed, checked
// by systemd's own parser.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostCommand, LAUNCHD_LABEL, renderLaunchdPlist, renderSystemdUnit, ServiceSpecError, systemdWord, type ServiceSpec } from "../src/service-units.ts";

const spec: ServiceSpec = {
  node: "/home/me/.nvm/versions/node/v24.1.0/bin/node",
  entry: "/home/me/.npm-global/lib/node_modules/agent-relay-host/dist/cli.js",
  args: ["--url=https://relay.example.workers.dev", "--cwd=/home/me/projects/main"],
  workingDirectory: "/home/me/projects/main",
  path: "/home/me/.npm-global/bin:/usr/local/bin:/usr/bin:/bin",
  tokenFile: "/home/me/.config/agent-relay/host-token",
  logFile: "/Users/me/Library/Logs/agent-relay-host.log",
};

/** Values systemd or XML would read as something else. */
const awkward: ServiceSpec = {
  ...spec,
  args: ["--agent=jsonl", `--command=["my agent", "--say={message}"]`, "--env=GREETING=100% $HOME \\o/", "--env=X=<a & b>", "--cwd=/home/me/my projects/50%"],
  workingDirectory: "/home/me/my projects/50%",
  path: `/opt/my "tools"/bin:/usr/bin`,
};

describe("the systemd user unit", () => {
  it("runs this Node and this entry with the flags, the token from its file, and restarts only on failures that can pass", () => {
    const unit = renderSystemdUnit(spec);
    expect(unit).toContain(
      "ExecStart=/home/me/.nvm/versions/node/v24.1.0/bin/node /home/me/.npm-global/lib/node_modules/agent-relay-host/dist/cli.js " +
        "--url=https://relay.example.workers.dev --cwd=/home/me/projects/main --token-file=/home/me/.config/agent-relay/host-token\n",
    );
    expect(unit).toContain("WorkingDirectory=/home/me/projects/main\n");
    expect(unit).toContain(`Environment="PATH=/home/me/.npm-global/bin:/usr/local/bin:/usr/bin:/bin"\n`);
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("RestartPreventExitStatus=2 3 5\n");
    expect(unit).toContain("KillMode=mixed\n");
    expect(unit).toContain("WantedBy=default.target\n");
  });

  it("quotes words so systemd reads them back as they are: spaces, quotes, backslashes, % and $", () => {
    expect(systemdWord("/usr/bin/node")).toBe("/usr/bin/node");
    expect(systemdWord("--url=https://h.example/x")).toBe("--url=https://h.example/x");
    expect(systemdWord("a b")).toBe(`"a b"`);
    expect(systemdWord(`say "hi" \\o/`)).toBe(`"say \\"hi\\" \\\\o/"`);
    expect(systemdWord("100%")).toBe(`"100%%"`);
    expect(systemdWord("$HOME")).toBe(`"$$HOME"`);
    expect(systemdWord(";")).toBe(`";"`);
    const unit = renderSystemdUnit(awkward);
    expect(unit).toContain(`"--command=[\\"my agent\\", \\"--say={message}\\"]" "--env=GREETING=100%% $$HOME \\\\o/" "--env=X=<a & b>" "--cwd=/home/me/my projects/50%%"`);
    expect(unit).toContain("WorkingDirectory=/home/me/my projects/50%%\n");
    expect(unit).toContain(`Environment="PATH=/opt/my \\"tools\\"/bin:/usr/bin"\n`);
  });

  it("refuses a value with a line break, which would end the line and start another setting", () => {
    expect(() => renderSystemdUnit({ ...spec, args: ["--env=A=1\nExecStartPre=/bin/evil"] })).toThrow(ServiceSpecError);
    expect(() => renderLaunchdPlist({ ...spec, path: "/bin\r" })).toThrow(ServiceSpecError);
  });

  const systemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
  it.skipIf(!systemdAnalyze)("passes systemd-analyze verify, awkward values included", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-relay-unit-"));
    // verify checks that ExecStart's program exists: point it at one that does
    const file = join(dir, "agent-relay-host.service");
    writeFileSync(file, renderSystemdUnit({ ...awkward, node: process.execPath, workingDirectory: dir }));
    const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    expect(`${result.stderr}${result.stdout}`).toBe("");
    expect(result.status).toBe(0);
  });
});

describe("the launchd agent", () => {
  /** The <string>s of ProgramArguments, unescaped as a plist reader would. */
  function programArguments(plist: string): string[] {
    const array = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(plist)![1]!;
    return [...array.matchAll(/<string>(.*?)<\/string>/g)].map((match) =>
      match[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"),
    );
  }

  it("runs the same command line, each argument one escaped string", () => {
    expect(programArguments(renderLaunchdPlist(spec))).toEqual(hostCommand(spec));
    const plist = renderLaunchdPlist(awkward);
    expect(programArguments(plist)).toEqual(hostCommand(awkward));
    expect(plist).toContain("<string>--env=X=&lt;a &amp; b&gt;</string>");
  });

  it("has the label, the working directory, the PATH, the log file, and restarts after a crash only", () => {
    const plist = renderLaunchdPlist(spec);
    expect(plist).toContain(`<key>Label</key><string>${LAUNCHD_LABEL}</string>`);
    expect(plist).toContain("<key>WorkingDirectory</key><string>/home/me/projects/main</string>");
    expect(plist).toContain("<key>PATH</key><string>/home/me/.npm-global/bin:/usr/local/bin:/usr/bin:/bin</string>");
    expect(plist).toContain("<key>StandardErrorPath</key><string>/Users/me/Library/Logs/agent-relay-host.log</string>");
    expect(plist).toContain("<key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>");
  });
});

describe("agent-host/README.md", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

  it("shows the unit and the plist exactly as service install writes them", () => {
    const linux: ServiceSpec = {
      node: "/usr/local/bin/node",
      entry: "/usr/local/lib/node_modules/agent-relay-host/dist/cli.js",
      args: ["--url=https://relay.example.workers.dev", "--cwd=/home/me/projects/main"],
      workingDirectory: "/home/me/projects/main",
      path: "/home/me/.local/bin:/usr/local/bin:/usr/bin:/bin",
      tokenFile: "/home/me/.config/agent-relay/host-token",
      logFile: "",
    };
    const mac: ServiceSpec = {
      node: "/opt/homebrew/bin/node",
      entry: "/opt/homebrew/lib/node_modules/agent-relay-host/dist/cli.js",
      args: ["--url=https://relay.example.workers.dev", "--cwd=/Users/me/projects/main"],
      workingDirectory: "/Users/me/projects/main",
      path: "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin",
      tokenFile: "/Users/me/.config/agent-relay/host-token",
      logFile: "/Users/me/Library/Logs/agent-relay-host.log",
    };
    expect(readme).toContain(`\`\`\`ini\n${renderSystemdUnit(linux)}\`\`\``);
    expect(readme).toContain(`\`\`\`xml\n${renderLaunchdPlist(mac)}\`\`\``);
  });
});
