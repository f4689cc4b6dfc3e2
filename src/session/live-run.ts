// The in-memory side of the run that is streaming now: the translator and message accumulator that
// turn its lines into chunks and into the assistant message, and where the run's log stands.
// Everything here can be rebuilt from storage (see `restoreLiveRun`), which is what happens after the
// object is evicted or restarted mid-run.
import type { UIMessage } from "ai";
import { MessageAccumulator } from "../translate/accumulator.ts";
import type { ResumePoint, UIChunk } from "../translate/chunks.ts";
import { RunTranslator, type TranslatorSnapshot } from "../translate/translator.ts";
import { utf8Bytes } from "./byte-limits.ts";
import type { HostRefusal } from "./host-refusal.ts";
import type { RunLog } from "./run-log.ts";
import type { RunRecord } from "./run-store.ts";

export interface LiveRun {
  record: RunRecord;
  translator: RunTranslator;
  accumulator: MessageAccumulator;
  /** Last agent item (line or exit) taken in: translated, and its events sent to browsers. */
  lineSeq: number;
  /** Last event (chunk) taken in. */
  eventSeq: number;
  /** Last agent item stored (what the host has been acknowledged); at most `lineSeq`. */
  storedLineSeq: number;
  /** Last event stored; the events after it, up to `eventSeq`, are `pending`. */
  storedEventSeq: number;
  /** JSON of the events taken in and not stored yet (at most one store window's, or one row's bytes). */
  pending: string[];
  pendingBytes: number;
  /** Stores the pending events at the end of the store window (STORE_WINDOW_MS). */
  storeTimer: ReturnType<typeof setTimeout> | null;
  /** UTF-8 bytes of the chunk JSON taken in for this run, stored or in the window (capped by MAX_RUN_BYTES). */
  storedBytes: number;
  /** The host's run socket, while connected. */
  socket: WebSocket | null;
  /** When the host last said anything on it. */
  heardAt: number;
  /** When the run gives up on its host (socket gone, or an abort that was never confirmed). */
  deadline: number | null;
  /** When the assistant message was last written to the messages table. */
  materializedAt: number;
  materializeTimer: ReturnType<typeof setTimeout> | null;
  silenceTimer: ReturnType<typeof setInterval> | null;
  /** A refusal heard before the run's host was recorded (host-refusal.ts); it counts once that host is known. */
  heldRefusal: HostRefusal | null;
}

export function newLiveRun(record: RunRecord, now: number): LiveRun {
  return {
    record,
    translator: new RunTranslator({ messageId: record.assistantMessageId, runId: record.id }),
    accumulator: new MessageAccumulator(record.assistantMessageId),
    lineSeq: 0,
    eventSeq: record.eventBase,
    storedLineSeq: 0,
    storedEventSeq: record.eventBase,
    pending: [],
    pendingBytes: 0,
    storeTimer: null,
    storedBytes: 0,
    socket: null,
    heardAt: now,
    deadline: null,
    materializedAt: now,
    materializeTimer: null,
    silenceTimer: null,
    heldRefusal: null,
  };
}

/**
 * Rebuilds a running run from its stored log: the translator from the last snapshot, the message by
 * folding every stored chunk again (a page at a time). A log that cannot be read back (a snapshot or a
 * chunk that does not parse or fold) must not brick the session: what folds is kept and `damage` says
 * what did not, and the caller ends the run with a visible error.
 */
export function restoreLiveRun(record: RunRecord, log: RunLog, now: number): { live: LiveRun; damage: string | null } {
  const tail = log.tail(record.id);
  const live = newLiveRun(record, now);
  let damage: string | null = null;
  try {
    const snapshot = tail.state === null ? undefined : (JSON.parse(tail.state) as TranslatorSnapshot);
    live.translator = new RunTranslator({ messageId: record.assistantMessageId, runId: record.id, snapshot });
  } catch (error) {
    damage = `the translator's stored state is unreadable (${String(error)})`;
  }
  let unreadable = 0;
  for (const page of log.pages(record.id, 0)) {
    for (const event of page) {
      live.storedBytes += utf8Bytes(event.json);
      try {
        live.accumulator.apply(JSON.parse(event.json));
      } catch {
        unreadable++;
      }
    }
  }
  if (unreadable > 0) damage ??= `${unreadable} stored events are unreadable`;
  live.lineSeq = live.storedLineSeq = tail.lineSeq;
  live.eventSeq = live.storedEventSeq = Math.max(tail.eventSeq, record.eventBase);
  return { live, damage };
}

/** The answer so far, or as it will be once `pending` chunks (not yet adopted) are applied to a copy. */
export function assistantMessage(live: LiveRun, streaming: boolean, pending: UIChunk[] = []): UIMessage {
  const message = live.accumulator.messageWith(pending);
  // A streaming snapshot says which event it includes, so a page loaded with it resumes after that event.
  const resume: ResumePoint | undefined = streaming ? { eventId: live.eventSeq, openPartIds: live.accumulator.openPartIds() } : undefined;
  return { ...message, metadata: { ...(message.metadata as object | undefined), streaming, ...(resume && { resume }) } };
}
