import { describe, expect, it } from "vitest";
import type { DynamicToolUIPart } from "ai";
import { approvalView } from "../../../web/src/chat/approval-state.ts";
import { displayValue, toolOutputDisplay } from "../../../web/src/chat/tool-display.ts";
import { imageSourceLabel } from "../../../web/src/image-source.ts";
import { relativeTime } from "../../../web/src/relative-time.ts";

describe("tool display", () => {
  it("shows the text of a tool result and keeps its details apart", () => {
    expect(toolOutputDisplay({ text: "README.md\nsrc", exitCode: 0 })).toEqual({
      text: "README.md\nsrc",
      details: '{\n  "exitCode": 0\n}',
    });
    expect(toolOutputDisplay({ text: "only text" })).toEqual({ text: "only text", details: null });
  });

  it("shows other outputs as they are", () => {
    expect(toolOutputDisplay("plain")).toEqual({ text: "plain", details: null });
    expect(toolOutputDisplay([1, 2])).toEqual({ text: "[\n  1,\n  2\n]", details: null });
    expect(displayValue({ command: "ls" })).toBe('{\n  "command": "ls"\n}');
  });
});

describe("relativeTime", () => {
  const now = Date.UTC(2026, 10, 29, 12, 0, 0);
  it("says how long ago a session was active", () => {
    expect(relativeTime(now - 10_000, now, "en")).toBe("just now");
    expect(relativeTime(now - 3 * 60_000, now, "en")).toBe("3 minutes ago");
    expect(relativeTime(now - 2 * 3_600_000, now, "en")).toBe("2 hours ago");
    expect(relativeTime(now - 86_400_000, now, "en")).toBe("yesterday");
  });
});

describe("imageSourceLabel", () => {
  const page = "https://relay.example/chat/abc";
  it("names the host an image would be fetched from", () => {
    expect(imageSourceLabel("https://evil.example:8443/x.png?leak=1", page)).toBe("evil.example:8443");
    expect(imageSourceLabel("/assets/logo.png", page)).toBe("relay.example");
    expect(imageSourceLabel("data:image/png;base64,AAAA", page)).toBe("data embedded in the message");
    expect(imageSourceLabel("http://[::1", page)).toBe("http://[::1");
  });
});

describe("approval view", () => {
  const call = (part: Record<string, unknown>) => ({ type: "dynamic-tool", toolName: "exec", toolCallId: "t1", input: { command: "ls" }, ...part }) as DynamicToolUIPart;

  it("asks while the agent waits, and shows the decision from the part alone (any tab, after a reload)", () => {
    expect(approvalView(call({ state: "approval-requested", approval: { id: "a1" } }))).toEqual({ kind: "ask", approvalId: "a1" });
    expect(approvalView(call({ state: "approval-responded", approval: { id: "a1", approved: true } }))).toEqual({ kind: "decided", approved: true, reason: null });
    expect(approvalView(call({ state: "output-available", output: { text: "bin" }, approval: { id: "a1", approved: true } }))).toEqual({ kind: "decided", approved: true, reason: null });
    expect(approvalView(call({ state: "output-denied", approval: { id: "a1", approved: false, reason: "expired" } }))).toEqual({ kind: "decided", approved: false, reason: "expired" });
  });

  it("shows nothing for a tool that never asked", () => {
    expect(approvalView(call({ state: "output-available", output: "x" }))).toBeNull();
  });
});
