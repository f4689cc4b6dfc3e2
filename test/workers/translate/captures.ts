// The real openclaw lines (test/fixtures/openclaw-events/, copied from the reference captures) and
// how each of those runs ended, per openclaw-cli.md.
import e401 from "../../fixtures/openclaw-events/e401.jsonl?raw";
import execTool from "../../fixtures/openclaw-events/exec-tool.jsonl?raw";
import final from "../../fixtures/openclaw-events/final.jsonl?raw";
import okThinkOff from "../../fixtures/openclaw-events/ok-think-off.jsonl?raw";
import sigterm from "../../fixtures/openclaw-events/sigterm.jsonl?raw";
import type { Scenario } from "./scenario.ts";

const lines = (text: string) => text.split("\n").filter((line) => line.length > 0);
const exitCode = (code: number) => ({ code, signal: null, stderrTail: "" });

export const CAPTURES = {
  /** A read tool call, then a streamed answer. */
  final: { lines: lines(final), end: { exit: exitCode(0) } },
  /** An exec tool with live output (tool update, command_output), then a streamed answer. */
  execTool: { lines: lines(execTool), end: { exit: exitCode(0) } },
  /** The whole answer arrives as one delta at the end. */
  okThinkOff: { lines: lines(okThinkOff), end: { exit: exitCode(0) } },
  /** The provider answers HTTP 401: lifecycle error, exit 1. */
  e401: { lines: lines(e401), end: { exit: exitCode(1) } },
  /** The user pressed Stop mid-answer: lifecycle error {aborted: true}, exit 143. */
  sigterm: { lines: lines(sigterm), end: { aborted: true, exit: exitCode(143) } },
} satisfies Record<string, Scenario>;
