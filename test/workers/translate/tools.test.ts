// Tool calls: dynamic tool parts, live output, errors, and agent ids that repeat or never started.
import { expect, it } from "vitest";
import { HAND_MADE } from "./hand-made.ts";
import { agent, messageOf, translate } from "./scenario.ts";

const tools = (scenario: Parameters<typeof messageOf>[0]) =>
  messageOf(scenario).parts.filter((part) => part.type === "dynamic-tool");

it("every tool chunk is dynamic", () => {
  const toolChunks = translate(HAND_MADE.tools).filter((chunk) => chunk.type.startsWith("tool-"));
  expect(toolChunks.length).toBeGreaterThan(0);
  expect(toolChunks.every((chunk) => "dynamic" in chunk && chunk.dynamic === true)).toBe(true);
});

it("failed tools show the result text, else details.error, else a generic message", () => {
  expect(tools(HAND_MADE.tools).map((part) => [part.toolName, part.state, part.errorText])).toEqual([
    ["exec", "output-error", "exit code 1"],
    ["web", "output-error", "blocked"],
    ["exec", "output-available", undefined],
    ["read", "output-error", "Tool execution failed"],
  ]);
});

it("input is the tool's args (an object), and a reused agent call id gets its own part", () => {
  const parts = tools(HAND_MADE.tools);
  expect(parts.map((part) => part.input)).toEqual([{ command: "false" }, {}, { command: "true" }, {}]);
  expect(new Set(parts.map((part) => part.toolCallId)).size).toBe(4);
});

it("a string result becomes the output text", () => {
  expect(tools(HAND_MADE.tools)[2]).toMatchObject({ output: { text: "done" } });
});

it("a tool still running when the run ends is closed as unfinished", () => {
  const scenario = {
    lines: [agent("tool", { phase: "start", name: "exec", toolCallId: "c", args: {} })],
    end: { exit: { code: 0, signal: null, stderrTail: "" } },
  };
  expect(tools(scenario)[0]).toMatchObject({ state: "output-error", errorText: "The run ended before the tool finished." });
});
