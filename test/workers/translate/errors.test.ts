// Errors: shown once as "[error] <message>" text; a stop is not an error.
import { expect, it } from "vitest";
import { HAND_MADE } from "./hand-made.ts";
import { finishOf, messageOf, texts, translate } from "./scenario.ts";

it("a top-level error event is shown with the provider's message, and only the first error", () => {
  expect(texts(messageOf(HAND_MADE.topLevelError))).toEqual(["[error] Insufficient funds"]);
  expect(finishOf(translate(HAND_MADE.topLevelError))).toMatchObject({ finishReason: "error", messageMetadata: { status: "error" } });
});

it("stopReason error on an assistant line is shown with the parsed body", () => {
  expect(texts(messageOf(HAND_MADE.stopReasonError))).toEqual(["[error] Rate limit reached"]);
});

it("at exit, a recognisable stderr error is shown when nothing else was", () => {
  expect(texts(messageOf(HAND_MADE.stderrAtExit))).toEqual(["[error] connect ECONNREFUSED 127.0.0.1:9"]);
});

it("stderr noise does not turn a successful answer into an error", () => {
  const chunks = translate(HAND_MADE.stderrNoiseOnSuccess);
  expect(texts(messageOf(HAND_MADE.stderrNoiseOnSuccess))).toEqual(["Fine."]);
  expect(finishOf(chunks).messageMetadata.status).toBe("completed");
});

it("an agent that cannot be started says so", () => {
  expect(texts(messageOf(HAND_MADE.spawnFailure))).toEqual(["[error] Failed to start agent: spawn openclaw ENOENT"]);
  expect(finishOf(translate(HAND_MADE.spawnFailure))).toMatchObject({ finishReason: "error", messageMetadata: { exitCode: null } });
});

it("an adapter that fails after the agent printed lines is not called a start failure", () => {
  const scenario = { lines: HAND_MADE.noTextExitZero.lines, end: { exit: { code: null, signal: null, stderrTail: "", error: "adapter lost its event file" } } };
  expect(texts(messageOf(scenario))).toEqual(["[error] Agent failed: adapter lost its event file"]);
});

it("no text and a failing exit code: the exit code message", () => {
  expect(texts(messageOf(HAND_MADE.noTextExitCode))).toEqual(["[error] Agent exited with code 1. Check server logs for details."]);
});

it("no text and exit 0: no response", () => {
  expect(texts(messageOf(HAND_MADE.noTextExitZero))).toEqual(["[error] No response from agent."]);
  expect(finishOf(translate(HAND_MADE.noTextExitZero)).messageMetadata.status).toBe("error");
});

it("killed by a signal without a stop: says which signal, and is an error", () => {
  const chunks = translate(HAND_MADE.killedBySignal);
  expect(texts(messageOf(HAND_MADE.killedBySignal))).toEqual(["[error] Agent was stopped by SIGKILL. Check server logs for details."]);
  expect(finishOf(chunks).messageMetadata).toMatchObject({ status: "error", exitCode: null, signal: "SIGKILL" });
});

it("an agent that dies mid-answer gets a note after the partial answer, not an answer that just stops", () => {
  expect(texts(messageOf(HAND_MADE.killedBySignalMidAnswer))).toEqual(["Half an", "[error] Agent was stopped by SIGKILL. Check server logs for details."]);
  expect(texts(messageOf(HAND_MADE.failedExitMidAnswer))).toEqual(["Half an", "[error] Agent exited with code 1. Check server logs for details."]);
  expect(finishOf(translate(HAND_MADE.failedExitMidAnswer)).messageMetadata.status).toBe("error");
});

it("a run the edge ended shows the edge's reason after the partial answer", () => {
  expect(texts(messageOf(HAND_MADE.edgeEnded))).toEqual(["Partial", "[error] agent host disconnected and did not come back within 60 s"]);
  expect(finishOf(translate(HAND_MADE.edgeEnded)).messageMetadata).toMatchObject({ status: "error", exitCode: null });
});

it("a stop mid-tool keeps the answer, ends the tool as stopped, and shows no error", () => {
  const message = messageOf(HAND_MADE.userStopMidTool);
  expect(texts(message)).toEqual(["Running it."]);
  expect(message.parts.find((part) => part.type === "dynamic-tool")).toMatchObject({
    state: "output-error",
    errorText: "Stopped before the tool finished.",
  });
  expect(finishOf(translate(HAND_MADE.userStopMidTool))).toMatchObject({ finishReason: "stop", messageMetadata: { status: "aborted" } });
});
