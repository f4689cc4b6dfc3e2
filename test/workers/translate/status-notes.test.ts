// Status notes: one data-status part per run, updated in place, active while the note applies.
import { expect, it } from "vitest";
import { HAND_MADE } from "./hand-made.ts";
import { messageOf, translate } from "./scenario.ts";

const statusUpdates = (chunks: ReturnType<typeof translate>) =>
  chunks.flatMap((chunk) => (chunk.type === "data-status" ? [chunk] : []));

it("compaction shows its note, adds the retry note, and settles when the answer comes or it ends", () => {
  const updates = statusUpdates(translate(HAND_MADE.compaction));
  expect(updates.map((chunk) => chunk.data)).toEqual([
    { text: "Preparing response...", active: true },
    { text: "Optimizing session context...", active: true },
    { text: "Optimizing session context...\nRetrying with compacted context...", active: true },
    { text: "Optimizing session context...\nRetrying with compacted context...", active: false },
    { text: "Optimizing session context...", active: true },
    { text: "Optimizing session context...", active: false },
  ]);
  expect(new Set(updates.map((chunk) => chunk.id))).toEqual(new Set(["run-1-status"]));
});

it("the status note is one part of the message, whatever happened", () => {
  const statusParts = messageOf(HAND_MADE.compaction).parts.filter((part) => part.type === "data-status");
  expect(statusParts).toEqual([
    { type: "data-status", id: "run-1-status", data: { text: "Optimizing session context...", active: false } },
  ]);
});

it("a provider retry is shown as a status note until the new text arrives", () => {
  const updates = statusUpdates(translate(HAND_MADE.replace));
  expect(updates.slice(2).map((chunk) => chunk.data)).toEqual([
    { text: "Connection interrupted. The provider is retrying.", active: true },
    { text: "Connection interrupted. The provider is retrying.", active: false },
  ]);
});

it("a run that fails settles the note before the error", () => {
  const chunks = translate(HAND_MADE.stderrAtExit);
  const settled = chunks.findIndex((chunk) => chunk.type === "data-status" && !chunk.data.active);
  expect(settled).toBeGreaterThan(0);
  expect(chunks[settled + 1]).toMatchObject({ type: "text-start" });
});
