// The host's openclaw adapters leave openclaw's running text out of assistant events
// (protocol/running-text.ts): the translator must make exactly the same chunks without it.
import { describe, expect, it } from "vitest";
import { withoutRunningText } from "../../../protocol/running-text.ts";
import { CAPTURES } from "./captures.ts";
import { agent, translate, type Scenario } from "./scenario.ts";

const trimmed = (scenario: Scenario): Scenario => ({
  ...scenario,
  lines: scenario.lines.map((line) => JSON.stringify(withoutRunningText(JSON.parse(line) as Record<string, unknown>))),
});

describe("an assistant event without its running text", () => {
  it.each(Object.keys(CAPTURES))("translates the real capture %s to the same chunks", (name) => {
    const capture = CAPTURES[name as keyof typeof CAPTURES];
    expect(translate(trimmed(capture))).toEqual(translate(capture));
  });

  it("is shorter: the streamed answer of final.jsonl loses the text each delta repeated", () => {
    const bytes = (scenario: Scenario) => scenario.lines.reduce((sum, line) => sum + line.length, 0);
    expect(bytes(CAPTURES.final) - bytes(trimmed(CAPTURES.final))).toBeGreaterThan(150);
  });

  it.each([
    ["a thinking event", {}],
    ["a reasoning snapshot from a CLI backend", { isReasoningSnapshot: true }],
  ])("leaves out the running text of %s; the reasoning shown is the same", (_name, extra) => {
    const lines = [
      agent("thinking", { text: "Let", delta: "Let", ...extra }),
      agent("thinking", { text: "Let me think", delta: " me think", ...extra }),
      agent("assistant", { text: "Done.", delta: "Done.", itemId: "i1" }),
    ];
    const scenario: Scenario = { lines, end: { exit: { code: 0, signal: null, stderrTail: "" } } };
    expect(translate(trimmed(scenario))).toEqual(translate(scenario));
    expect(JSON.parse(trimmed(scenario).lines[1]!).data).toEqual({ delta: " me think", ...extra });
  });

  it("keeps the text where openclaw's clients take it as the whole text, and in every other stream", () => {
    const replace = { stream: "assistant", data: { text: "Final words", delta: "", replace: true, itemId: "i1" } };
    const noDelta = { stream: "assistant", data: { text: "Final words", itemId: "i1" } };
    const item = { stream: "item", data: { kind: "preamble", phase: "end", progressText: "Let me look.", text: "x" } };
    for (const event of [replace, noDelta, item]) expect(withoutRunningText(event)).toBe(event);
    const lines = [
      agent("assistant", { text: "Hel", delta: "Hel", itemId: "i1" }),
      agent("assistant", { text: "Hello", delta: "lo", itemId: "i1" }),
      agent("assistant", { text: "Final words", replace: true, itemId: "i1" }),
      agent("assistant", { text: "Final words, and more", itemId: "i1" }),
    ];
    const scenario: Scenario = { lines, end: { exit: { code: 0, signal: null, stderrTail: "" } } };
    expect(translate(trimmed(scenario))).toEqual(translate(scenario));
    expect(JSON.parse(trimmed(scenario).lines[1]!)).toMatchObject({ data: { delta: "lo", itemId: "i1" } });
    expect(JSON.parse(trimmed(scenario).lines[1]!).data).not.toHaveProperty("text");
  });
});
