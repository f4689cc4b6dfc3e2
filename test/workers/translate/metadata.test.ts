// Message metadata: usage as it grows, skipped and ignored line counts, run status.
import { expect, it } from "vitest";
import { RunTranslator } from "../../../src/translate/translator.ts";
import { HAND_MADE } from "./hand-made.ts";
import { finishOf, messageOf, translate } from "./scenario.ts";

it("usage goes into metadata, each field at its latest value, sent only when it changes", () => {
  const chunks = translate(HAND_MADE.usage);
  expect(chunks.filter((chunk) => chunk.type === "message-metadata").map((chunk) => chunk.messageMetadata)).toEqual([
    { usage: { outputTokens: 10 } },
    { usage: { outputTokens: 18, inputTokens: 120 } },
  ]);
  expect(messageOf(HAND_MADE.usage).metadata?.usage).toEqual({ inputTokens: 120, outputTokens: 18 });
});

it("malformed, unknown and too-long lines are skipped and counted; known quiet streams are ignored", () => {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  const produced = HAND_MADE.skipped.lines.slice(0, -2).flatMap((line) => translator.line(line));
  expect(produced).toEqual([]);
  // not JSON, an array, no data, unknown stream, unknown event, the host's line-too-long marker;
  // item, plan, approval, patch, the agent's error stream, run_status other than retrying
  expect(translator.snapshot()).toMatchObject({ skippedLines: 6, ignoredLines: 6 });
});

it("the counts reach the finish metadata, and the run still answers", () => {
  const chunks = translate(HAND_MADE.skipped);
  expect(finishOf(chunks).messageMetadata).toMatchObject({ status: "completed", skippedLines: 6, ignoredLines: 6 });
  expect(messageOf(HAND_MADE.skipped).parts.at(-1)).toMatchObject({ type: "text", text: "Still fine." });
});

it("the message metadata holds the run id and the final status", () => {
  expect(messageOf(HAND_MADE.thinking).metadata).toEqual({
    runId: "run-1",
    status: "completed",
    exitCode: 0,
    skippedLines: 0,
    ignoredLines: 0,
  });
});
