// Calls out of order are programming errors and say so.
import { expect, it } from "vitest";
import { RunTranslator } from "../../../src/translate/translator.ts";
import { agent } from "./scenario.ts";

const exit = { exit: { code: 0, signal: null, stderrTail: "" } };

it("line() before start() is refused", () => {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  expect(() => translator.line(agent("lifecycle", { phase: "start" }))).toThrow("line() called when the run is new");
});

it("start() twice is refused", () => {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  expect(() => translator.start()).toThrow("start() called when the run is running");
});

it("line() and end() after end() are refused", () => {
  const translator = new RunTranslator({ messageId: "m", runId: "r" });
  translator.start();
  translator.end(exit);
  expect(() => translator.line(agent("lifecycle", { phase: "end" }))).toThrow("line() called when the run is ended");
  expect(() => translator.end(exit)).toThrow("end() called when the run is ended");
});
