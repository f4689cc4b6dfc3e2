// Approval requests and their outcomes (the host's exec.approval.* lines): the SDK's approval states
// on the waiting tool part, a denial that stays denied, an expiry the page is told about.
import { expect, it } from "vitest";
import { MAX_PENDING_APPROVALS, RunTranslator } from "../../../src/translate/translator.ts";
import { HAND_MADE } from "./hand-made.ts";
import { approvalRequested, approvalResolved, agent, messageOf, RUN_ID, texts, translate } from "./scenario.ts";

const tools = (scenario: Parameters<typeof messageOf>[0]) =>
  messageOf(scenario).parts.filter((part) => part.type === "dynamic-tool");

it("a request puts the waiting tool part into approval-requested with the agent's approval id", () => {
  const chunks = translate(HAND_MADE.approvalApproved);
  const request = chunks.find((chunk) => chunk.type === "tool-approval-request");
  const toolStart = chunks.find((chunk) => chunk.type === "tool-input-start");
  expect(request).toEqual({ type: "tool-approval-request", approvalId: "appr-1", toolCallId: toolStart && "toolCallId" in toolStart ? toolStart.toolCallId : "?" });
});

it("approved: the SDK's approval response, then the command's output; the part keeps its approval", () => {
  const chunks = translate(HAND_MADE.approvalApproved);
  const afterRequest = chunks.slice(chunks.findIndex((chunk) => chunk.type === "tool-approval-request") + 1);
  expect(afterRequest[0]).toEqual({ type: "tool-approval-response", approvalId: "appr-1", approved: true });
  expect(tools(HAND_MADE.approvalApproved)).toEqual([
    expect.objectContaining({ state: "output-available", output: { text: "bin\netc" }, approval: { id: "appr-1", approved: true }, input: { command: "ls /" } }),
  ]);
  expect(texts(messageOf(HAND_MADE.approvalApproved))).toEqual(["Listed."]);
});

it("denied: the response with the person's reason, tool-output-denied, and the agent's own denial result does not turn it into a failure", () => {
  const chunks = translate(HAND_MADE.approvalDenied);
  expect(chunks.filter((chunk) => chunk.type.startsWith("tool-approval-response") || chunk.type === "tool-output-denied")).toEqual([
    { type: "tool-approval-response", approvalId: "appr-2", approved: false, reason: "not here" },
    { type: "tool-output-denied", toolCallId: expect.any(String) },
  ]);
  expect(chunks.some((chunk) => chunk.type === "tool-output-error")).toBe(false);
  expect(tools(HAND_MADE.approvalDenied)).toEqual([expect.objectContaining({ state: "output-denied", approval: { id: "appr-2", approved: false, reason: "not here" } })]);
  expect(texts(messageOf(HAND_MADE.approvalDenied))).toEqual(["Not run."]);
});

it("expired: denied, the part's reason saying nobody answered; a request without a seen tool start gets its own exec part", () => {
  const message = messageOf(HAND_MADE.approvalExpired);
  expect(tools(HAND_MADE.approvalExpired)).toEqual([
    expect.objectContaining({
      toolName: "exec",
      state: "output-denied",
      input: { command: "ls /", cwd: "/work" },
      approval: { id: "appr-3", approved: false, reason: "The approval request expired before anyone answered; openclaw denied the command." },
    }),
  ]);
  expect(texts(message).join("\n")).not.toContain("expired"); // said once, on the part
});

it("a request still pending when the run is stopped is closed as not approved, so no page keeps offering it", () => {
  expect(tools(HAND_MADE.approvalPendingAtStop)).toEqual([
    expect.objectContaining({ state: "output-denied", approval: { id: "appr-4", approved: false, reason: "The run ended before anyone answered." } }),
  ]);
});

it("knows which requests wait for an answer, across a snapshot, and not after their outcome or the run's end", () => {
  const translator = new RunTranslator({ messageId: "m", runId: RUN_ID });
  translator.start();
  translator.line(agent("tool", { phase: "start", name: "exec", toolCallId: "c1", args: {} }));
  translator.line(approvalRequested("a-1", "c1"));
  const restored = new RunTranslator({ messageId: "m", runId: RUN_ID, snapshot: translator.snapshot() });
  expect(restored.awaitsApproval("a-1")).toBe(true);
  expect(restored.awaitsApproval("a-2")).toBe(false);
  // A repeated request (a backfill) adds nothing; an outcome for no request is ignored.
  expect(restored.line(approvalRequested("a-1", "c1"))).toEqual([]);
  expect(restored.line(approvalResolved("nope", { decision: "deny" }))).toEqual([]);
  restored.line(approvalResolved("a-1", { decision: "deny" }));
  expect(restored.awaitsApproval("a-1")).toBe(false);

  translator.end({ aborted: true });
  expect(translator.awaitsApproval("a-1")).toBe(false);
});

it("a snapshot from before approvals (no approvals field) still translates them", () => {
  const translator = new RunTranslator({ messageId: "m", runId: RUN_ID });
  translator.start();
  const { approvals: _none, ...older } = translator.snapshot();
  const restored = new RunTranslator({ messageId: "m", runId: RUN_ID, snapshot: older });
  expect(restored.line(approvalRequested("a-9", "c9")).map((chunk) => chunk.type)).toContain("tool-approval-request");
});

it("a flood of requests nobody answers is bounded: past the limit each is a visible skip, and the snapshot stays small", () => {
  const lines = Array.from({ length: MAX_PENDING_APPROVALS + 3 }, (_, i) => approvalRequested(`flood-${i}`, `c${i}`));
  const translator = new RunTranslator({ messageId: "m", runId: RUN_ID });
  translator.start();
  for (const line of lines) translator.line(line);
  expect(translator.snapshot().approvals).toHaveLength(MAX_PENDING_APPROVALS);
  expect(translator.snapshot().skippedLines).toBe(3);
  const message = messageOf({ lines, end: { exit: { code: 0, signal: null, stderrTail: "" } } });
  expect(texts(message).filter((text) => text.includes(`more than ${MAX_PENDING_APPROVALS} approval requests wait at once`))).toHaveLength(3);
});

it("an agent that goes on without an outcome line: the tool's own output or failure answers the approval", () => {
  expect(tools(HAND_MADE.approvalWithoutOutcomeRan)).toEqual([
    expect.objectContaining({ state: "output-available", output: { text: "bin\netc" }, approval: { id: "appr-5", approved: true } }),
  ]);
  expect(tools(HAND_MADE.approvalWithoutOutcomeFailed)).toEqual([
    expect.objectContaining({ state: "output-denied", approval: { id: "appr-6", approved: false, reason: "exec denied: approval timed out" } }),
  ]);
});
