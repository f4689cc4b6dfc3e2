// One frame's agent lines through the translator, off to the side (docs/architecture.md, "Rules every
// handler keeps"): the run's own translator is never touched; the caller stores what comes back and only
// then adopts the returned translator. A line whose translation throws (a translator bug, a value
// nothing expected) is skipped with a visible note and the frame goes on, so the host always gets an
// ack instead of resending the same frame for ever.
//
// Adjacent text (or reasoning) deltas of one part within the frame become one delta: a fast agent's
// 2,000-line frame is then one event instead of 2,000, and the per-event costs (JSON, SSE, the
// readers' parsing, ~60 bytes of framing each) are paid once (docs/performance.md). A frame at a
// live pace holds one line, so nothing waits for a merge. The host resends a frame with the same lines
// (protocol/host.ts), so a frame makes the same events after a restart.
import type { UIChunk } from "./chunks.ts";
import type { RunTranslator } from "./translator.ts";
import { describe } from "./describe-error.ts";

export interface TranslatedBatch {
  /** The translator after the batch; adopt it once the batch is stored. */
  translator: RunTranslator;
  chunks: UIChunk[];
  /** Each chunk's JSON, as stored and sent. */
  jsons: string[];
}

/** The longest merged delta, in UTF-16 units: events stay well within a stored row (MAX_EVENT_ROW_BYTES). */
export const MAX_MERGED_DELTA_LENGTH = 32 * 1024;

export function translateBatch(from: RunTranslator, lines: readonly string[]): TranslatedBatch {
  let translator = from.copy();
  const chunks: UIChunk[] = [];
  // The lines skipped so far (index -> reason), to rebuild the translator's state after a line that failed
  // midway; a map of the rare failures rather than a record per line (measured: 17% of a frame's time).
  const skipped = new Map<number, string>();
  for (let index = 0; index < lines.length; index++) {
    try {
      for (const chunk of translator.line(lines[index]!)) pushMerged(chunks, chunk);
    } catch (error) {
      // The translator may have changed halfway: start again from `from` and redo the lines before this
      // one (it is deterministic, so their chunks come out the same and are already kept). A safety
      // net, not a path: hostile input is handled by the translator itself (e.g. its depth check).
      translator = from.copy();
      for (let before = 0; before < index; before++) {
        const reason = skipped.get(before);
        if (reason === undefined) translator.line(lines[before]!);
        else translator.skip(reason);
      }
      const reason = `the relay could not translate it (${describe(error)})`;
      for (const chunk of translator.skip(reason)) chunks.push(chunk);
      skipped.set(index, reason);
    }
  }
  return batchOf(translator, chunks);
}

/** A translator and the chunks it gave, with their JSON as stored and sent (also a run's start and end). */
export function batchOf(translator: RunTranslator, chunks: UIChunk[]): TranslatedBatch {
  return { translator, chunks, jsons: chunks.map((chunk) => JSON.stringify(chunk)) };
}

/** Appends `chunk`, or adds its text to the previous chunk when both are deltas of the same part. */
function pushMerged(chunks: UIChunk[], chunk: UIChunk): void {
  const last = chunks.at(-1);
  if (
    last !== undefined &&
    (chunk.type === "text-delta" || chunk.type === "reasoning-delta") &&
    last.type === chunk.type &&
    last.id === chunk.id &&
    last.delta.length + chunk.delta.length <= MAX_MERGED_DELTA_LENGTH
  ) {
    chunks[chunks.length - 1] = { ...last, delta: last.delta + chunk.delta };
  } else {
    chunks.push(chunk);
  }
}

