// Small hand-made runs for what the captures lack. Each is checked for its visible result in its own
// test file and, with the captures, through the real AI SDK consumers (sdk-consumer.test.ts).
import { approvalRequested, approvalResolved, agent, type Scenario } from "./scenario.ts";

const ok = { exit: { code: 0, signal: null, stderrTail: "" } };
const failed = (stderrTail = "") => ({ exit: { code: 1, signal: null, stderrTail } });
const start = agent("lifecycle", { phase: "start" });
const end = agent("lifecycle", { phase: "end" });
const execStart = agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "ls /" } });

export const HAND_MADE = {
  thinking: {
    lines: [
      start,
      agent("thinking", { text: "Let me ", delta: "Let me " }),
      agent("thinking", { text: "Let me think.", delta: "think." }),
      agent("assistant", { text: "Answer.", delta: "Answer." }),
      end,
    ],
    end: ok,
  },
  media: {
    lines: [
      agent("assistant", { text: "Here:", delta: "Here:" }),
      agent("assistant", { text: "Here:", delta: "", mediaUrls: [" https://img.test/a.png ", "", 7] }),
      agent("assistant", { text: "Here:", delta: "", mediaUrl: "https://img.test/b.png" }),
      agent("assistant", { text: "Here:", delta: "", mediaUrl: "file:///tmp/my shot (1).png" }),
      end,
    ],
    end: ok,
  },
  compaction: {
    lines: [
      start,
      agent("compaction", { phase: "start" }),
      agent("compaction", { phase: "end", willRetry: true }),
      agent("assistant", { text: "Done.", delta: "Done." }),
      agent("compaction", { phase: "start" }),
      agent("compaction", { phase: "end", willRetry: false }),
      end,
    ],
    end: ok,
  },
  replace: {
    lines: [
      start,
      agent("assistant", { text: "Draft", delta: "Draft", itemId: "item-1" }),
      agent("assistant", { text: "Draft answer", delta: " answer", itemId: "item-1" }),
      agent("assistant", { text: "", delta: "", replace: true, itemId: "item-1" }),
      agent("run_status", { phase: "retrying", message: "Connection interrupted. The provider is retrying." }),
      agent("assistant", { text: "Final", delta: "Final", itemId: "item-1" }),
      agent("assistant", { text: "Final answer", delta: " answer", itemId: "item-1" }),
      end,
    ],
    end: ok,
  },
  replaceWithText: {
    lines: [
      agent("assistant", { text: "Look", delta: "Look", itemId: "a" }),
      agent("assistant", { text: "Look elsewhere", delta: "", replace: true, itemId: "a" }),
      agent("assistant", { text: "Look elsewhere now", delta: " now", itemId: "a" }),
      agent("assistant", { text: "Next item", delta: "Next item", itemId: "b" }),
      // A replace for another item than the open one withdraws nothing.
      agent("assistant", { text: "Other", delta: "", replace: true, itemId: "c" }),
      end,
    ],
    end: ok,
  },
  topLevelError: {
    lines: [
      start,
      JSON.stringify({ event: "error", data: { message: '402 {"error":{"message":"Insufficient funds"}}' } }),
      agent("lifecycle", { phase: "error", error: "a second error, not reported" }),
    ],
    end: failed(),
  },
  stopReasonError: {
    lines: [
      agent("assistant", { text: "", delta: "", stopReason: "error", errorMessage: '429 {"message":"Rate limit reached"}' }),
      end,
    ],
    end: failed(),
  },
  stderrAtExit: {
    lines: [start],
    end: failed("\u001b[31m[openclaw] Error: connect ECONNREFUSED 127.0.0.1:9\u001b[0m\n    at TCPConnectWrap\n"),
  },
  stderrNoiseOnSuccess: {
    lines: [agent("assistant", { text: "Fine.", delta: "Fine." }), end],
    end: { exit: { code: 0, signal: null, stderrTail: "(node:1) Warning: something failed to load, ignoring\n" } },
  },
  spawnFailure: {
    lines: [],
    end: { exit: { code: null, signal: null, stderrTail: "", error: "spawn openclaw ENOENT" } },
  },
  noTextExitCode: {
    lines: [start, end],
    end: failed(),
  },
  noTextExitZero: {
    lines: [start, end],
    end: ok,
  },
  killedBySignal: {
    lines: [start],
    end: { exit: { code: null, signal: "SIGKILL", stderrTail: "" } },
  },
  killedBySignalMidAnswer: {
    lines: [start, agent("assistant", { text: "Half an", delta: "Half an" })],
    end: { exit: { code: null, signal: "SIGKILL", stderrTail: "" } },
  },
  failedExitMidAnswer: {
    lines: [start, agent("assistant", { text: "Half an", delta: "Half an" })],
    end: failed(),
  },
  edgeEnded: {
    lines: [start, agent("assistant", { text: "Partial", delta: "Partial" })],
    end: { error: "agent host disconnected and did not come back within 60 s" },
  },
  userStopMidTool: {
    lines: [
      start,
      agent("assistant", { text: "Running it.", delta: "Running it." }),
      agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "sleep 100" } }),
    ],
    end: { aborted: true, exit: { code: 143, signal: null, stderrTail: "Terminated\n" } },
  },
  tools: {
    lines: [
      start,
      agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "false" } }),
      agent("tool", { phase: "update", name: "exec", toolCallId: "call_1", partialResult: { content: [{ type: "text", text: "partial" }] } }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", isError: true, result: { content: [{ type: "text", text: "exit code 1" }] } }),
      agent("tool", { phase: "start", name: "web", toolCallId: "call_2", args: "not an object" }),
      agent("tool", { phase: "result", name: "web", toolCallId: "call_2", isError: true, result: { details: { error: "blocked" } } }),
      // The same agent id again (a second model call may reuse it): a separate tool part.
      agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "true" } }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", isError: false, result: "done" }),
      // A result without a start, a failed tool without any text, updates for unknown tools.
      agent("tool", { phase: "result", name: "read", toolCallId: "call_9", isError: true, result: {} }),
      agent("tool", { phase: "update", name: "read", toolCallId: "call_404", partialResult: "x" }),
      agent("command_output", { phase: "delta", toolCallId: "call_404", output: "x" }),
      agent("tool", { phase: "start", name: "exec" }),
      agent("assistant", { text: "All done.", delta: "All done." }),
      end,
    ],
    end: ok,
  },
  usage: {
    lines: [
      start,
      agent("usage", { outputTokens: 10 }),
      agent("usage", { outputTokens: 10 }),
      agent("usage", { inputTokens: 120, outputTokens: 18, model: "fake" }),
      agent("assistant", { text: "Hi.", delta: "Hi." }),
      end,
    ],
    end: ok,
  },
  skipped: {
    lines: [
      "not json at all",
      "[1, 2, 3]",
      "",
      "   ",
      JSON.stringify({ event: "agent", stream: "lifecycle" }),
      agent("telemetry", { phase: "sample" }),
      JSON.stringify({ event: "hello" }),
      JSON.stringify({ event: "relay", stream: "skipped", data: { reason: "line-too-long", bytes: 300_000 } }),
      agent("item", { kind: "preamble", phase: "update" }),
      agent("plan", { phase: "update", steps: [] }),
      agent("approval", { phase: "requested" }),
      agent("patch", { phase: "end" }),
      agent("error", { message: "recoverable" }),
      agent("run_status", { phase: "starting_model" }),
      agent("assistant", { text: "Still fine.", delta: "Still fine." }),
      end,
    ],
    end: ok,
  },
  approvalApproved: {
    lines: [
      start,
      execStart,
      approvalRequested("appr-1", "call_1"),
      agent("lifecycle", { phase: "waiting-approval", approvalId: "appr-1", toolCallId: "call_1" }),
      approvalResolved("appr-1", { decision: "allow-once", resolvedBy: "agent-relay host" }),
      agent("lifecycle", { phase: "approval-resolved", approvalId: "appr-1", toolCallId: "call_1" }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", result: "bin\netc" }),
      agent("assistant", { text: "Listed.", delta: "Listed." }),
      end,
    ],
    end: ok,
  },
  approvalDenied: {
    lines: [
      start,
      execStart,
      approvalRequested("appr-2", "call_1"),
      approvalResolved("appr-2", { decision: "deny", resolvedBy: "agent-relay host", reason: "not here" }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", isError: true, result: "exec denied: user denied" }),
      agent("assistant", { text: "Not run.", delta: "Not run." }),
      end,
    ],
    end: ok,
  },
  approvalExpired: {
    lines: [
      start,
      // No tool start seen: the request alone makes the part.
      approvalRequested("appr-3", "call_9"),
      approvalResolved("appr-3", { decision: "deny", resolvedBy: null, expired: true }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_9", isError: true, result: "exec denied: approval timed out" }),
      end,
    ],
    end: ok,
  },
  // The agent goes on before any outcome line (one got lost): the tool's own result decides.
  approvalWithoutOutcomeRan: {
    lines: [
      start,
      execStart,
      approvalRequested("appr-5", "call_1"),
      agent("command_output", { phase: "delta", toolCallId: "call_1", output: "bin", status: "running" }),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", result: "bin\netc" }),
      end,
    ],
    end: ok,
  },
  approvalWithoutOutcomeFailed: {
    lines: [
      start,
      execStart,
      approvalRequested("appr-6", "call_1"),
      agent("tool", { phase: "result", name: "exec", toolCallId: "call_1", isError: true, result: "exec denied: approval timed out" }),
      end,
    ],
    end: ok,
  },
  approvalPendingAtStop: {
    lines: [start, execStart, approvalRequested("appr-4", "call_1")],
    end: { aborted: true, exit: { code: null, signal: "SIGTERM", stderrTail: "" } },
  },
  multilineText: {
    lines: [
      agent("assistant", { text: "", delta: 'line one\ndata: {"type":"finish"}\n\n' }),
      agent("assistant", { text: "", delta: "[DONE]\r\nid: 99\n" }),
      end,
    ],
    end: ok,
  },
} satisfies Record<string, Scenario>;
