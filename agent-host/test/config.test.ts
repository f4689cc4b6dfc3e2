import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fillTemplate } from "../src/adapters/argv-template.ts";
import { DEFAULT_OPENCLAW_COMMAND } from "../src/adapters/openclaw.ts";
import { ConfigError, defaultHostId, HELP, loadConfig, type HostConfig } from "../src/config.ts";

const env = { RELAY_HOST_TOKEN: "secret" };
const load = (args: string[], environment: NodeJS.ProcessEnv = env) => loadConfig(args, environment) as HostConfig;
const errorOf = (args: string[], environment: NodeJS.ProcessEnv = env): string => {
  try {
    loadConfig(args, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
};

describe("loadConfig", () => {
  it("turns the edge URL into a WebSocket base URL", () => {
    expect(load(["--url", "http://127.0.0.1:8787"]).url).toBe("ws://127.0.0.1:8787");
    expect(load(["--url", "https://relay.example.com/prefix/"]).url).toBe("wss://relay.example.com/prefix");
    expect(load(["--url", "wss://relay.example.com"]).url).toBe("wss://relay.example.com");
    expect(load([], { ...env, RELAY_URL: "http://localhost:1" }).url).toBe("ws://localhost:1");
  });

  it("applies the defaults: openclaw through its gateway, 4 runs, the current directory, a host id from the hostname", () => {
    const config = load(["--url", "http://h"]);
    expect(config).toMatchObject({ agent: "openclaw", maxRuns: 4, cwd: process.cwd(), env: {}, token: "secret" });
    expect(config).toMatchObject({ gatewayUrl: undefined, gatewayToken: undefined, openclawCommand: ["openclaw"] });
    expect(config.maxUnackedBytes).toBe(16 * 2 ** 20);
    expect(config.hostId).toBe(defaultHostId());
    expect(config.hostId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
  });

  it("keeps the per-turn openclaw CLI as --agent openclaw-cli: its default command, 1 run at once", () => {
    const config = load(["--url", "http://h", "--agent", "openclaw-cli"]);
    expect(config).toMatchObject({ agent: "openclaw-cli", maxRuns: 1 });
    expect(config.command).toEqual(DEFAULT_OPENCLAW_COMMAND);
  });

  it("takes a gateway URL, its token and the openclaw executable for the gateway adapter", () => {
    const config = load(["--url", "http://h", "--gateway-url", "ws://127.0.0.1:18789", "--gateway-token", "t", "--openclaw-bin", "/opt/openclaw/bin/openclaw"]);
    expect(config).toMatchObject({ gatewayUrl: "ws://127.0.0.1:18789", gatewayToken: "t", openclawCommand: ["/opt/openclaw/bin/openclaw"] });
  });

  it("runs 4 jsonl agents at once by default; --max-runs overrides either default", () => {
    expect(load(["--url", "http://h", "--agent", "jsonl", "--command", "my-agent {message}"]).maxRuns).toBe(4);
    expect(load(["--url", "http://h", "--max-runs", "3"]).maxRuns).toBe(3);
  });

  it("takes the token from --token-file over the environment, without its line ending; - is standard input", () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-host-config-")), "token");
    writeFileSync(file, "from-file\n", { mode: 0o600 });
    expect(load(["--url", "http://h", "--token-file", file]).token).toBe("from-file");
    const read: string[] = [];
    const config = loadConfig(["--url", "http://h", "--token-file", "-"], env, (path) => (read.push(path), "from-stdin")) as HostConfig;
    expect([config.token, read]).toEqual(["from-stdin", ["-"]]);
    expect(errorOf(["--url", "http://h", "--token-file", "/does/not/exist"])).toBe("--token-file /does/not/exist: ENOENT");
  });

  it("reads a command as a JSON array or as words, and fills placeholders only as whole arguments", () => {
    const json = load(["--url", "http://h", "--agent", "jsonl", "--command", '["my agent", "--msg", "{message}", "{session}"]']);
    expect(fillTemplate(json.command, { message: "hi; rm -rf / {session}", session: "s1" })).toEqual([
      "my agent",
      "--msg",
      "hi; rm -rf / {session}",
      "s1",
    ]);
    const words = load(["--url", "http://h", "--agent", "jsonl", "--command", "node  agent.mjs --say {message}"]);
    expect(words.command).toEqual(["node", "agent.mjs", "--say", "{message}"]);
  });

  it("takes the per-run memory bound in MiB", () => {
    expect(load(["--url", "http://h", "--max-unacked-mib", "2"]).maxUnackedBytes).toBe(2 * 2 ** 20);
    expect(load(["--url", "http://h"]).batchDelayMs).toBe(5);
    expect(load(["--url", "http://h", "--batch-ms", "16"]).batchDelayMs).toBe(16);
  });

  it("collects repeated --env assignments, keeping '=' inside values", () => {
    expect(load(["--url", "http://h", "--env", "A=1", "--env", "B=x=y", "--env", "EMPTY="]).env).toEqual({ A: "1", B: "x=y", EMPTY: "" });
  });

  it("says --help was asked for", () => {
    expect(loadConfig(["--help"], {})).toBe("help");
    for (const flag of ["--url", "--token-file", "RELAY_HOST_TOKEN", "--agent", "--command", "--cwd", "--env", "--max-runs", "--max-unacked-mib", "--batch-ms", "--host-id", "--gateway-url", "--gateway-token", "--openclaw-bin"]) {
      expect(HELP).toContain(flag);
    }
  });

  it.each([
    [[], "--url (or RELAY_URL) is required"],
    [["--url", "ftp://h"], '--url must be an http(s) or ws(s) URL, got "ftp://h"'],
    [["--url", "not a url"], '--url must be an http(s) or ws(s) URL, got "not a url"'],
    [["--url", "http://h", "--agent", "claude"], "--agent must be one of: openclaw, openclaw-cli, jsonl"],
    [["--url", "http://h", "--command", "agent {message}"], "--command is for --agent openclaw-cli and jsonl; the gateway adapter takes --openclaw-bin"],
    [["--url", "http://h", "--gateway-url", "http://h:1"], "--gateway-url must be a ws:// or wss:// URL"],
    [["--url", "http://h", "--agent", "jsonl"], "--agent jsonl needs --command (the CLI to run)"],
    [["--url", "http://h", "--agent", "openclaw-cli", "--command", "agent --message=x{message}"], '{message} must be a whole argument of --command or an option\'s value (--name={message}), not part of "--message=x{message}"'],
    [["--url", "http://h", "--token", "t"], "--token is not accepted: a command line is readable by every process of your user"],
    [["--url", "http://h", "--agent", "openclaw-cli", "--command", "agent {session}"], "--command must contain {message} as one argument"],
    [["--url", "http://h", "--agent", "openclaw-cli", "--command", '["agent", 1]'], "--command as JSON must be an array of strings"],
    [["--url", "http://h", "--agent", "openclaw-cli", "--command", "[agent"], "--command looks like a JSON array but is not valid JSON"],
    [["--url", "http://h", "--max-runs", "0"], "--max-runs must be at least 1"],
    [["--url", "http://h", "--max-runs", "2.5"], "--max-runs must be a whole number"],
    [["--url", "http://h", "--max-runs", "many"], "--max-runs must be a number"],
    [["--url", "http://h", "--max-unacked-mib", "0"], "--max-unacked-mib must be at least 1"],
    [["--url", "http://h", "--batch-ms", "5000"], "--batch-ms must be at most 1000"],
    [["--url", "http://h", "--host-id", "my host"], "--host-id must match [A-Za-z0-9_-]{1,128}"],
    [["--url", "http://h", "--env", "NOEQUALS"], '--env must look like KEY=VALUE, got "NOEQUALS"'],
    [["--url", "http://h", "--cwd", "/does/not/exist"], "--cwd /does/not/exist does not exist"],
    [["--url", "http://h", "--bogus"], "Unknown option '--bogus'"],
  ])("refuses %j with a clear message", (args, message) => {
    expect(errorOf(args)).toContain(message);
  });

  it("refuses a missing token and a --cwd that is a file", () => {
    expect(errorOf(["--url", "http://h"], {})).toBe("--token-file (or RELAY_HOST_TOKEN) is required");
    const file = join(mkdtempSync(join(tmpdir(), "agent-host-config-")), "file");
    writeFileSync(file, "");
    expect(errorOf(["--url", "http://h", "--cwd", file])).toBe(`--cwd ${file} is not a directory`);
  });
});
