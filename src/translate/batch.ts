// One frame's agent lines through the translator, off to the side (docs/architecture.md, "Rules every
// handler keeps"): the run's own translator is never touched; the caller stores what comes back and only
// then adopts the returned translator. A line whose translation throws (a translator bug, a value
// nothing expected) is skipped with a visible note and the frame goes on, so the host always gets an
// ack instead of resending the same frame for ever.
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

export function translateBatch(from: RunTranslator, lines: readonly string[]): TranslatedBatch {
  let translator = from.copy();
  const chunks: UIChunk[] = [];
  const jsons: string[] = [];
  // The lines skipped so far (index -> reason), to rebuild the translator's state after a line that failed
  // midway; a map of the rare failures rather than a record per line (measured: 17% of a frame's time).
  const skipped = new Map<number, string>();
  for (let index = 0; index < lines.length; index++) {
    try {
      const out = translator.line(lines[index]!);
      const outJsons = out.map((chunk) => JSON.stringify(chunk)); // all of the line's, or none of them
      for (let i = 0; i < out.length; i++) {
        chunks.push(out[i]!);
        jsons.push(outJsons[i]!);
      }
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
      for (const chunk of translator.skip(reason)) {
        chunks.push(chunk);
        jsons.push(JSON.stringify(chunk));
      }
      skipped.set(index, reason);
    }
  }
  return { translator, chunks, jsons };
}

