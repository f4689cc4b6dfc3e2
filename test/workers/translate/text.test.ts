// Reasoning, text, media images and withdrawn text.
import { expect, it } from "vitest";
import { HAND_MADE } from "./hand-made.ts";
import { accumulate, messageOf, texts, translate } from "./scenario.ts";

it("thinking deltas become one reasoning part before the answer", () => {
  const message = messageOf(HAND_MADE.thinking);
  expect(message.parts.map((part) => part.type)).toEqual(["data-status", "reasoning", "text"]);
  expect(message.parts[1]).toMatchObject({ type: "reasoning", text: "Let me think.", state: "done" });
  expect(texts(message)).toEqual(["Answer."]);
});

it("the first thinking delta settles the status note", () => {
  const chunks = translate(HAND_MADE.thinking);
  const settled = chunks.findIndex((chunk) => chunk.type === "data-status" && !chunk.data.active);
  expect(chunks[settled + 1]).toMatchObject({ type: "reasoning-start" });
});

it("media URLs become Markdown images in the text, blank and non-string entries skipped", () => {
  expect(texts(messageOf(HAND_MADE.media))).toEqual([
    "Here:\n![media](https://img.test/a.png)\n\n![media](https://img.test/b.png)\n\n![media](file:///tmp/my%20shot%20%281%29.png)\n",
  ]);
});

it("replace withdraws the text streamed so far; the persisted message keeps only the replacement", () => {
  const chunks = translate(HAND_MADE.replace);
  expect(chunks).toContainEqual({ type: "text-end", id: "run-1-text-1", providerMetadata: { "agent-relay": { discarded: true } } });
  expect(texts(accumulate(chunks))).toEqual(["Final answer"]);
});

it("replace with text continues from that text; another item's replace withdraws nothing", () => {
  expect(texts(messageOf(HAND_MADE.replaceWithText))).toEqual(["Look elsewhere now", "Next item", "Other"]);
});

it("a new agent item starts a new text part", () => {
  const message = messageOf(HAND_MADE.replaceWithText);
  expect(message.parts.filter((part) => part.type === "text")).toHaveLength(3);
});

it("text that looks like SSE framing stays text", () => {
  expect(texts(messageOf(HAND_MADE.multilineText))).toEqual(['line one\ndata: {"type":"finish"}\n\n[DONE]\r\nid: 99\n']);
});
