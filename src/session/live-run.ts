// The in-memory side of the run that is streaming now: the translator and message accumulator that
// turn its lines into chunks and into the assistant message, and where the run's log stands.
// Everything here can be rebuilt from storage (see `restoreLiveRun`), which is what happens after the
// object is evicted or restarted mid-run.
import { MessageAccumulator } from "../translate/accumulator.ts";
import { RunTranslator, type TranslatorSnapshot } from "../translate/translator.ts";
import type { RunLog } from "./run-log.ts";
import type { RunRecord } from "./run-store.ts";

export interface LiveRun {
  record: RunRecord;
  translator: RunTranslator;
  accumulator: MessageAccumulator;
  /** Last agent item (line or exit) stored. */
  lineSeq: number;
  /** Last event (chunk) stored. */
  eventSeq: number;
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
}

export function newLiveRun(record: RunRecord, now: number): LiveRun {
  return {
    record,
    translator: new RunTranslator({ messageId: record.assistantMessageId, runId: record.id }),
    accumulator: new MessageAccumulator(record.assistantMessageId),
    lineSeq: 0,
    eventSeq: record.eventBase,
    socket: null,
    heardAt: now,
    deadline: null,
    materializedAt: now,
    materializeTimer: null,
    silenceTimer: null,
  };
}

/** Rebuilds a running run from its stored log: the translator from the last snapshot, the message by
 * folding every stored chunk again (a page at a time). */
export function restoreLiveRun(record: RunRecord, log: RunLog, now: number): LiveRun {
  const tail = log.tail(record.id);
  const snapshot = tail.state === null ? undefined : (JSON.parse(tail.state) as TranslatorSnapshot);
  const live = newLiveRun(record, now);
  live.translator = new RunTranslator({ messageId: record.assistantMessageId, runId: record.id, snapshot });
  for (const page of log.pages(record.id, 0)) {
    for (const event of page) live.accumulator.apply(JSON.parse(event.json));
  }
  live.lineSeq = tail.lineSeq;
  live.eventSeq = Math.max(tail.eventSeq, record.eventBase);
  return live;
}
