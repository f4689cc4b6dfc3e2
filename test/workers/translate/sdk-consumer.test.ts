// The real AI SDK consumers, current (`ai` 7) and strict (`ai` 6.0.230): our SSE bytes ->
// parseJsonEventStream(uiMessageChunkSchema) -> readUIMessageStream({ terminateOnError }) ->
// validateUIMessages. The message they build must equal MessageAccumulator's (the persisted one).
import * as ai7 from "ai";
import * as ai6 from "ai-v6";
import { describe, expect, it } from "vitest";
import type { RelayUIMessage, UIChunk } from "../../../src/translate/chunks.ts";
import { withoutDiscardedParts } from "../../../src/translate/discarded.ts";
import { encodeEvents, SSE_DONE, SSE_KEEPALIVE } from "../../../src/sse.ts";
import { consumeStream, type AiSdk } from "../../support/sse-reader.ts";
import { CAPTURES } from "./captures.ts";
import { HAND_MADE } from "./hand-made.ts";
import { accumulate, translate, type Scenario } from "./scenario.ts";

/** The SSE body as a byte stream, cut into small pieces so events and UTF-8 sequences straddle reads. */
function sseBytes(chunks: UIChunk[]): ReadableStream<Uint8Array> {
  const body = encodeEvents(1, chunks.map((chunk) => JSON.stringify(chunk))) + SSE_KEEPALIVE + SSE_DONE;
  const bytes = new TextEncoder().encode(body);
  const PIECE = 61;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + PIECE));
      offset += PIECE;
    },
  });
}

/** What a browser running this SDK version ends up with. */
async function consume(sdk: AiSdk, chunks: UIChunk[]): Promise<RelayUIMessage> {
  const message = await consumeStream(sseBytes(chunks), sdk);
  // What JSON keeps (the SDK leaves keys set to undefined; a stored message has none).
  return JSON.parse(JSON.stringify(message)) as RelayUIMessage;
}

/** ai 6 does not keep reasoning part ids; everything else is the same. */
function withoutReasoningIds(message: RelayUIMessage): RelayUIMessage {
  return {
    ...message,
    parts: message.parts.map((part) => {
      if (part.type !== "reasoning") return part;
      const { id: _id, ...rest } = part;
      return rest;
    }),
  };
}

const SCENARIOS: Array<[string, Scenario]> = [
  ...Object.entries(CAPTURES).map(([name, scenario]): [string, Scenario] => [`capture ${name}`, scenario]),
  ...Object.entries(HAND_MADE).map(([name, scenario]): [string, Scenario] => [`hand-made ${name}`, scenario]),
];

describe.each(SCENARIOS)("%s", (_name, scenario) => {
  const chunks = translate(scenario);
  const persisted = accumulate(chunks);

  it("ai 7 builds the persisted message", async () => {
    const message = await consume(ai7 as unknown as AiSdk, chunks);
    expect(message.parts.length).toBeGreaterThan(0);
    expect(withoutDiscardedParts(message)).toStrictEqual(persisted);
  });

  // An approval's outcome is ai 7's `tool-approval-response` (see src/translate/chunks.ts).
  const answersApproval = chunks.some((chunk) => chunk.type === "tool-approval-response");

  it.skipIf(answersApproval)("ai 6.0.230 (strict chunk schema) builds the persisted message", async () => {
    const message = await consume(ai6 as unknown as AiSdk, chunks);
    expect(message.parts.length).toBeGreaterThan(0);
    expect(withoutDiscardedParts(message)).toStrictEqual(withoutReasoningIds(persisted));
  });
});

it("the consumer keeps withdrawn text that only withoutDiscardedParts removes", async () => {
  const message = await consume(ai7 as unknown as AiSdk, translate(HAND_MADE.replace));
  const withdrawn = message.parts.filter((part) => part.type === "text" && part.text === "Draft answer");
  expect(withdrawn).toHaveLength(1);
  expect(withoutDiscardedParts(message).parts.some((part) => part.type === "text" && part.text === "Draft answer")).toBe(false);
});

it("a chunk with a field the strict schema does not know is rejected (the check has teeth)", async () => {
  const chunks = translate(CAPTURES.final);
  const tampered = chunks.map((chunk) => (chunk.type === "text-start" ? { ...chunk, seq: 1 } : chunk)) as UIChunk[];
  await expect(consume(ai6 as unknown as AiSdk, tampered)).rejects.toThrow();
});

it("ai 6.0.230 refuses an approval's outcome, as docs/api.md says (the one chunk it does not know)", async () => {
  const chunks = translate(HAND_MADE.approvalDenied);
  await expect(consume(ai6 as unknown as AiSdk, chunks)).rejects.toThrow(/tool-approval-response|Type validation failed/);
});
