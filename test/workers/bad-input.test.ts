// Bad requests get a clear status and JSON error that says what was wrong.
import { describe, expect, it } from "vitest";
import { api, userMessage } from "./support/relay-client.ts";

function postJson(body: unknown) {
  return api("/api/chat", { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

async function expectError(response: Response, status: number, pattern: RegExp) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: string };
  expect(body.error).toMatch(pattern);
}

describe("POST /api/chat validation", () => {
  it.each([
    ["not JSON", "{oops", /not JSON/],
    ["no id", { messages: [userMessage("u", "hi")] }, /invalid field id/],
    ["bad id", { id: "a/b", messages: [userMessage("u", "hi")] }, /invalid field id: must match/],
    ["no messages", { id: "s" }, /invalid field messages/],
    ["empty messages", { id: "s", messages: [] }, /invalid field messages: must hold at least/],
    ["message without parts", { id: "s", messages: [{ id: "u", role: "user" }] }, /invalid field messages\.0\.parts/],
    ["bad role", { id: "s", messages: [{ id: "u", role: "robot", parts: [] }] }, /invalid field messages\.0\.role/],
    ["last is not the user's", { id: "s", messages: [{ id: "a", role: "assistant", parts: [{ type: "text", text: "x" }] }] }, /last message must be the user's/],
    ["no text", { id: "s", messages: [{ id: "u", role: "user", parts: [{ type: "text", text: "  " }] }] }, /has no text/],
    ["bad trigger", { id: "s", messages: [userMessage("u", "hi")], trigger: "explode" }, /invalid field trigger/],
    ["text too long", { id: "s", messages: [userMessage("u", "x".repeat(100_001))] }, /longer than 100000 characters/],
  ])("400 for %s", async (_, body, pattern) => {
    await expectError(await postJson(body), 400, pattern);
  });

  it("413 for a body over 1 MiB, whether declared or not", async () => {
    const big = JSON.stringify({ id: "s", messages: [userMessage("u", "x".repeat(1_100_000))] });
    await expectError(await postJson(big), 413, /larger than 1048576 bytes/);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        controller.close();
      },
    });
    await expectError(await api("/api/chat", { method: "POST", body: stream }), 413, /larger than/);
  });

  it("400 for a body that is not UTF-8", async () => {
    await expectError(await api("/api/chat", { method: "POST", body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }), 400, /not valid UTF-8/);
  });
});

describe("session ids in paths", () => {
  it.each([
    ["a path separator", "a%2Fb"],
    ["a backslash", "a%5Cb"],
    ["a dot", "a.b"],
    ["a control character", "a%01b"],
    ["a space", "a%20b"],
    ["10,000 characters", "x".repeat(10_000)],
  ])("400 for %s", async (_, id) => {
    for (const [method, suffix] of [["GET", "/messages"], ["GET", "/stream"], ["POST", "/abort"], ["DELETE", ""]] as const) {
      await expectError(await api(`/api/chat/${id}${suffix}`, { method }), 400, /invalid session id/);
    }
  });

  it("404 JSON for an unknown API route", async () => {
    await expectError(await api("/api/nope"), 404, /no such API route/);
  });
});

describe("agent host routes", () => {
  it("404 JSON for an unknown host route, even with the host token", async () => {
    const response = await api("/api/host/nope", { token: "test-host-token", headers: { upgrade: "websocket" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "no such API route" });
  });

  it("426 for a host route without a WebSocket upgrade", async () => {
    const response = await api("/api/host/connect", { token: "test-host-token" });
    expect(response.status).toBe(426);
    expect(await response.json()).toEqual({ error: "expected a WebSocket upgrade" });
  });
});
