// An evicted session object resumes translating mid-run from the snapshot it stored.
import { describe, expect, it } from "vitest";
import type { UIChunk } from "../../../src/translate/chunks.ts";
import { RunTranslator, type TranslatorSnapshot } from "../../../src/translate/translator.ts";
import { CAPTURES } from "./captures.ts";
import { HAND_MADE } from "./hand-made.ts";
import { MESSAGE_ID, RUN_ID, translate, type Scenario } from "./scenario.ts";

/** Translate the first `cut` lines, store the snapshot as JSON, restore into a new translator, finish. */
function translateAcrossEviction(scenario: Scenario, cut: number): UIChunk[] {
  const first = new RunTranslator({ messageId: MESSAGE_ID, runId: RUN_ID });
  const before = [...first.start(), ...scenario.lines.slice(0, cut).flatMap((line) => first.line(line))];
  const stored = JSON.parse(JSON.stringify(first.snapshot())) as TranslatorSnapshot;
  const second = new RunTranslator({ messageId: MESSAGE_ID, runId: RUN_ID, snapshot: stored });
  const after = [...scenario.lines.slice(cut).flatMap((line) => second.line(line)), ...second.end(scenario.end)];
  return [...before, ...after];
}

const SCENARIOS: Array<[string, Scenario]> = [
  ...Object.entries(CAPTURES),
  ["replace", HAND_MADE.replace],
  ["tools", HAND_MADE.tools],
  ["thinking", HAND_MADE.thinking],
  ["usage", HAND_MADE.usage],
  ["userStopMidTool", HAND_MADE.userStopMidTool],
];

describe.each(SCENARIOS)("%s", (_name, scenario) => {
  it("translating in one go equals translating half, snapshotting, restoring, and translating the rest", () => {
    const half = Math.floor(scenario.lines.length / 2);
    expect(translateAcrossEviction(scenario, half)).toEqual(translate(scenario));
  });

  it("holds at every cut point", () => {
    const whole = translate(scenario);
    for (let cut = 0; cut <= scenario.lines.length; cut++) expect(translateAcrossEviction(scenario, cut)).toEqual(whole);
  });
});

it("the snapshot is small: it holds state, not the message", () => {
  const translator = new RunTranslator({ messageId: MESSAGE_ID, runId: RUN_ID });
  translator.start();
  const delta = JSON.stringify({ event: "agent", stream: "assistant", data: { delta: "x".repeat(1000) } });
  for (let i = 0; i < 100; i++) translator.line(delta);
  expect(JSON.stringify(translator.snapshot()).length).toBeLessThan(1000);
});

it("a snapshot is a copy: translating on does not change a stored one", () => {
  const translator = new RunTranslator({ messageId: MESSAGE_ID, runId: RUN_ID });
  translator.start();
  const stored = translator.snapshot();
  translator.line(HAND_MADE.thinking.lines[1]!);
  expect(stored.reasoningId).toBeNull();
});

it("a snapshot of another version is refused", () => {
  const snapshot = { ...new RunTranslator({ messageId: "m", runId: "r" }).snapshot(), version: 2 } as unknown as TranslatorSnapshot;
  expect(() => new RunTranslator({ messageId: "m", runId: "r", snapshot })).toThrow(/snapshot version 2/);
});
