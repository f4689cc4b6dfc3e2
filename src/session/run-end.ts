// The write that ends a run: the translator's end (or, when storage refused that, an error end with
// less and less in it), the message and the run row in one transaction; the live run adopts the end's
// events only once they are stored. SessionObject.endRun decides when, and what follows.
import type { UIMessage } from "ai";
import { batchOf, type TranslatedBatch } from "../translate/batch.ts";
import type { UIChunk } from "../translate/chunks.ts";
import type { RunEnd } from "../translate/translator.ts";
import { assistantMessage, type LiveRun } from "./live-run.ts";
import type { MessageStore } from "./message-store.ts";
import type { RunStatus, RunStore } from "./run-store.ts";
import type { StoreWindow } from "./store-window.ts";
import type { StreamFanout } from "./stream-fanout.ts";

export interface RunEndStoreDeps {
  storage: DurableObjectStorage;
  messages: MessageStore;
  runs: RunStore;
  streams: StreamFanout;
  window: StoreWindow;
}

export class RunEndStore {
  private readonly deps: RunEndStoreDeps;

  constructor(deps: RunEndStoreDeps) {
    this.deps = deps;
  }

  /** The translator's end, the message and the run row in one transaction; adopted once it is stored. */
  storeEnd(live: LiveRun, end: RunEnd, lineSeq: number): Exclude<RunStatus, "running"> {
    const translator = live.translator.copy();
    const batch = batchOf(translator, translator.end(end));
    return this.storeFinalBatch(live, lineSeq, batch, () => assistantMessage(live, false, batch.chunks));
  }

  /**
   * An end that needs nothing from the translator or the answer: an error note and a finish. Tried with
   * the answer and the store window's events; then without those events (they cannot be stored: the end
   * is numbered after them, so browsers that saw them read on without a gap, and the answer keeps what
   * they showed); then with the note alone as the message (the log keeps the rest for the replay grace
   * period).
   */
  storeFailedEnd(live: LiveRun, note: string): Exclude<RunStatus, "running"> {
    const id = `${live.record.id}-relay-error`;
    const chunks: UIChunk[] = [
      { type: "text-start", id },
      { type: "text-delta", id, delta: `[error] ${note}` },
      { type: "text-end", id },
      { type: "finish", finishReason: "error", messageMetadata: { status: "error" } },
    ];
    const batch = batchOf(live.translator, chunks);
    const answer = () => assistantMessage(live, false, chunks);
    const bare = (): UIMessage => ({
      id: live.record.assistantMessageId,
      role: "assistant",
      metadata: { runId: live.record.id, status: "error", streaming: false },
      parts: [{ type: "text", text: `[error] ${note}`, state: "done" }],
    });
    const attempts = [
      { message: answer, dropPending: false },
      { message: answer, dropPending: true },
      { message: bare, dropPending: true },
    ];
    for (const [index, { message, dropPending }] of attempts.entries()) {
      try {
        return this.storeFinalBatch(live, live.lineSeq, batch, message, dropPending);
      } catch (error) {
        if (index === attempts.length - 1) throw error;
        console.error("storing the error end failed; trying with less", error);
      }
    }
    throw new Error("unreachable");
  }

  private storeFinalBatch(
    live: LiveRun,
    lineSeq: number,
    batch: TranslatedBatch,
    message: () => UIMessage,
    dropPending = false,
  ): Exclude<RunStatus, "running"> {
    const lastSeq = live.eventSeq + batch.jsons.length;
    const storedLineSeq = dropPending ? live.storedLineSeq : lineSeq;
    const status = this.deps.storage.transactionSync(() => {
      this.deps.window.appendPending(live, storedLineSeq, batch, dropPending);
      const final = message();
      this.deps.messages.upsert(final);
      const status = runStatus(final);
      this.deps.runs.finish(live.record.id, status, Date.now(), { lineSeq: storedLineSeq, eventSeq: lastSeq });
      return status;
    });
    // A subscriber still waiting beyond the run's last event holds an id this run never reached (a
    // store window lost with its host too, the double fault; or an id from elsewhere): the end takes
    // those ids now, so it is given the stored run from its start, which a client takes as a whole.
    const stale = this.deps.streams.takeBeyond(live.eventSeq);
    this.deps.window.adopt(live, lineSeq, { ...batch, chunks: [] });
    this.deps.window.markStored(live);
    live.storedLineSeq = storedLineSeq;
    for (const subscriber of stale) this.deps.streams.follow(subscriber, live.record.id, live.record.eventBase);
    return status;
  }
}

/** How the run ended, as its finish chunk told the browser (the translator decides, once). */
function runStatus(message: UIMessage): Exclude<RunStatus, "running"> {
  const reported = (message.metadata as { status?: string } | undefined)?.status;
  return reported === "completed" || reported === "aborted" ? reported : "error";
}
