// Finding the gateway a person runs from openclaw's own settings (pure, with files), and the host using it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answersChallenge, configuredGateway, DEFAULT_GATEWAY_PORT } from "../src/gateway/discovery.ts";
import { cleanupAfterEach } from "./support/cleanups.ts";
import { FakeEdge } from "./support/fake-edge.ts";
import { FakeGateway } from "./support/fake-gateway.ts";
import { startHost } from "./support/host-process.ts";

const cleanup = cleanupAfterEach();

function openclawDir(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-settings-"));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  if (config !== undefined) writeFileSync(join(dir, "openclaw.json"), config);
  return dir;
}

describe("configuredGateway", () => {
  it("reads the gateway block of openclaw's JSON5 config, with ${VAR} tokens from the environment", () => {
    const dir = openclawDir(`{
      // openclaw's config is JSON5
      gateway: { port: 19123, auth: { mode: "token", token: "\${MY_GATEWAY_TOKEN}" }, },
    }`);
    expect(configuredGateway({ OPENCLAW_STATE_DIR: dir, MY_GATEWAY_TOKEN: "t0k" })).toEqual({
      url: "ws://127.0.0.1:19123",
      token: "t0k",
      password: undefined,
      source: join(dir, "openclaw.json"),
    });
    expect(configuredGateway({ OPENCLAW_STATE_DIR: dir, OPENCLAW_GATEWAY_PORT: "19555" })?.url).toBe("ws://127.0.0.1:19555");
  });

  it("takes OPENCLAW_GATEWAY_URL with its token, and the default port when only the token is set", () => {
    const empty = openclawDir();
    expect(configuredGateway({ OPENCLAW_STATE_DIR: empty, OPENCLAW_GATEWAY_URL: "wss://gw.example", OPENCLAW_GATEWAY_TOKEN: "x" })).toMatchObject({ url: "wss://gw.example", token: "x" });
    expect(configuredGateway({ OPENCLAW_STATE_DIR: empty, OPENCLAW_GATEWAY_TOKEN: "x" })?.url).toBe(`ws://127.0.0.1:${DEFAULT_GATEWAY_PORT}`);
  });

  it("finds none when openclaw's settings name no gateway (or the config cannot be read)", () => {
    expect(configuredGateway({ OPENCLAW_STATE_DIR: openclawDir() })).toBeUndefined();
    expect(configuredGateway({ OPENCLAW_STATE_DIR: openclawDir(`{ agents: {} }`) })).toBeUndefined();
    expect(configuredGateway({ OPENCLAW_STATE_DIR: openclawDir(`{ gateway: `) })).toBeUndefined();
  });
});

describe("a gateway the person runs", () => {
  it("answers a challenge where a gateway listens, and nothing where none does", async () => {
    const gw = await FakeGateway.start();
    cleanup(() => gw.close());
    expect(await answersChallenge(gw.url)).toBe(true);
    // Port 1 (tcpmux), where nothing listens; not a port just freed, which a test file running alongside
    // may take meanwhile (this probe once reached another file's fake edge that way).
    expect(await answersChallenge("ws://127.0.0.1:1")).toBe(false);
  });

  it("is used by the host when openclaw's config names it and it answers", async () => {
    const relay = await FakeEdge.start("t");
    cleanup(() => relay.close());
    const gw = await FakeGateway.start("the-persons-gateway-token");
    cleanup(() => gw.close());
    const dir = openclawDir(`{ gateway: { port: ${gw.port}, auth: { token: "the-persons-gateway-token" } } }`);
    const running = startHost(["--url", relay.url, "--host-id", "h", "--openclaw-bin", "/nonexistent/openclaw"], {
      RELAY_HOST_TOKEN: "t",
      OPENCLAW_STATE_DIR: dir,
      AGENT_RELAY_STATE_DIR: join(dir, "relay-state"),
    });
    cleanup(() => running.stop());
    await relay.waitFor(() => relay.hellos.length > 0, "hello");
    expect(running.log).toContain(`openclaw gateway: using the gateway at ${gw.url} (from ${join(dir, "openclaw.json")})`);
    expect(gw.connects).toHaveLength(1);
    expect(gw.connects[0]!.auth).toBe("shared");
  });
});
