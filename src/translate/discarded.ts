// Withdrawn text. The AI SDK stream cannot delete a part, so when the agent replaces its text the
// translator ends the current text part with a "discarded" mark. The AI SDK client keeps such parts;
// the page and the persisted message leave them out.
import type { UIMessage } from "ai";
import { RELAY_METADATA_KEY, type DiscardedMetadata } from "./chunks.ts";

export const DISCARDED_METADATA: DiscardedMetadata = { [RELAY_METADATA_KEY]: { discarded: true } };

export function isDiscardedPart(part: UIMessage["parts"][number]): boolean {
  return part.type === "text" && part.providerMetadata?.[RELAY_METADATA_KEY]?.discarded === true;
}

/** The message without the text parts the agent withdrew. */
export function withoutDiscardedParts<M extends UIMessage>(message: M): M {
  return { ...message, parts: message.parts.filter((part) => !isDiscardedPart(part)) };
}
