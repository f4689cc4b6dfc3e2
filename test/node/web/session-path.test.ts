import { describe, expect, it } from "vitest";
import { newSessionId, pathForSession, sessionIdFromPath } from "../../../web/src/session-path.ts";

describe("session paths", () => {
  it("round-trips a session id through the page URL", () => {
    const id = newSessionId();
    expect(sessionIdFromPath(pathForSession(id))).toBe(id);
    expect(pathForSession(null)).toBe("/");
  });

  it("makes new ids the relay accepts", () => {
    expect(newSessionId()).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
  });

  it("ignores paths that are not a valid session", () => {
    expect(sessionIdFromPath("/")).toBeNull();
    expect(sessionIdFromPath("/chat/has%20space")).toBeNull();
    expect(sessionIdFromPath(`/chat/${"a".repeat(129)}`)).toBeNull();
    expect(sessionIdFromPath("/elsewhere/abc")).toBeNull();
    expect(sessionIdFromPath("/chat/%E0")).toBeNull();
  });
});
