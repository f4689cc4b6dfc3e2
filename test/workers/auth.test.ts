// Who may call what: browsers with RELAY_TOKEN, hosts with HOST_TOKEN, health for anyone, and a Worker
// without its secrets refuses everything instead of running open.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { api, HOST_TOKEN } from "./support/relay-client.ts";

const BROWSER_ROUTES: [string, string][] = [
  ["POST", "/api/chat"],
  ["GET", "/api/chat/s1/stream"],
  ["POST", "/api/chat/s1/abort"],
  ["GET", "/api/chat/s1/messages"],
  ["DELETE", "/api/chat/s1"],
  ["GET", "/api/chats"],
];
const HOST_ROUTES = ["/api/host/connect", "/api/host/sessions/s1/runs/r1"];

describe("authentication", () => {
  it.each(BROWSER_ROUTES)("%s %s needs the relay token", async (method, path) => {
    for (const token of [null, "wrong", HOST_TOKEN]) {
      const response = await api(path, { method, token });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toMatch(token === null ? /missing Authorization/ : /invalid token/);
    }
  });

  it.each(HOST_ROUTES)("%s needs the host token", async (path) => {
    for (const token of [null, "wrong", "test-relay-token"]) {
      const headers: Record<string, string> = { upgrade: "websocket" };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await SELF.fetch(`https://relay.test${path}`, { headers });
      expect(response.status).toBe(401);
      expect(response.webSocket).toBeNull();
    }
  });

  it("never accepts a token in the URL", async () => {
    const response = await SELF.fetch("https://relay.test/api/chats?token=test-relay-token");
    expect(response.status).toBe(401);
  });

  it("serves health without a token", async () => {
    const response = await SELF.fetch("https://relay.test/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, hostsConnected: expect.any(Number) });
  });

  it("refuses every API call with a clear 500 when the secrets are not set", async () => {
    const unconfigured = { ...env, RELAY_TOKEN: undefined, HOST_TOKEN: undefined };
    const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    for (const [method, path] of BROWSER_ROUTES) {
      const response = await worker.fetch(new Request(`https://relay.test${path}`, { method, headers: { authorization: "Bearer anything" } }), unconfigured, context);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: "agent-relay is not configured: set the RELAY_TOKEN and HOST_TOKEN secrets" });
    }
    const onlyHost = { ...env, RELAY_TOKEN: undefined };
    const response = await worker.fetch(new Request("https://relay.test/api/chats", { headers: { authorization: "Bearer x" } }), onlyHost, context);
    expect(await response.json()).toEqual({ error: "agent-relay is not configured: set the RELAY_TOKEN secret" });
  });
});

describe("the Authorization header", () => {
  it("counts a header that is not `Bearer <token>` as missing, and every refusal carries a Bearer challenge", async () => {
    for (const authorization of ["Basic dGVzdA==", "Bearer", "Bearer two words", "Bearer not\"a\"token", "test-relay-token"]) {
      const response = await SELF.fetch("https://relay.test/api/chats", { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(await response.json()).toEqual({ error: "missing Authorization: Bearer <token> header" });
      expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_request"');
    }
    const none = await SELF.fetch("https://relay.test/api/chats");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm=""');
    const wrong = await api("/api/chats", { token: "wrong" });
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    // A secret no header could carry is a configuration error, not every client's 401.
    const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const unusable = await worker.fetch(new Request("https://relay.test/api/chats", { headers: { authorization: "Bearer x" } }), { ...env, RELAY_TOKEN: "two words!" }, context);
    expect(unusable.status).toBe(500);
    expect(await unusable.json()).toEqual({ error: "agent-relay is not configured: the RELAY_TOKEN secret may only use letters, digits and -._~+/ (then =)" });
    // The scheme is case-insensitive (RFC 7235).
    const lower = await SELF.fetch("https://relay.test/api/chats", { headers: { authorization: "bearer test-relay-token" } });
    expect(lower.status).toBe(200);
  });
});
