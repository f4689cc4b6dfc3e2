// The live run's store window: translated batches are taken in (they become the run's state and go to
// the browsers at once) and wait in memory until the window ends (STORE_WINDOW_MS after its first
// event, at once when a row's worth waits); then they are written as rows in one transaction (with the
// running answer at most every 2 s), and only then is the host acknowledged. Why a window and what it
// may lose: docs/architecture.md, "The store window".
import { STORE_WINDOW_MS } from "../../protocol/limits.ts";
import type { TranslatedBatch } from "../translate/batch.ts";
import { MAX_EVENT_ROW_BYTES, utf8Bytes } from "./byte-limits.ts";
import { assistantMessage, type LiveRun } from "./live-run.ts";
import type { MessageStore } from "./message-store.ts";
import type { RunLog } from "./run-log.ts";
import type { StreamFanout } from "./stream-fanout.ts";

const MATERIALIZE_INTERVAL_MS = 2_000;

export interface StoreWindowDeps {
  storage: DurableObjectStorage;
  runLog: RunLog;
  messages: MessageStore;
  streams: StreamFanout;
  /** The object's running run now (null when none): a timer of a run that ended stores nothing. */
  liveRun(): LiveRun | null;
  /** Tells the run's host that its lines up to `live.storedLineSeq` are stored. */
  acknowledge(live: LiveRun): void;
  /** A window that could not be stored: the run ends. */
  failStore(live: LiveRun, error: unknown): Promise<void>;
}

export class StoreWindow {
  private readonly deps: StoreWindowDeps;

  constructor(deps: StoreWindowDeps) {
    this.deps = deps;
  }

  /** The run's first events, stored at once: the run is in storage before a host is asked for it. */
  storeNow(live: LiveRun, lineSeq: number, batch: TranslatedBatch): void {
    this.deps.storage.transactionSync(() => this.appendPending(live, lineSeq, batch));
    this.adopt(live, lineSeq, batch);
    this.markStored(live);
  }

  /**
   * Takes a translated batch in: it becomes the run's state and its events go to the browsers now. It
   * is stored with the rest of its store window (storePending); the host is acknowledged then.
   */
  adopt(live: LiveRun, lineSeq: number, batch: TranslatedBatch): void {
    const firstSeq = live.eventSeq + 1;
    live.translator = batch.translator;
    live.lineSeq = lineSeq;
    live.eventSeq += batch.jsons.length;
    for (const json of batch.jsons) {
      const bytes = utf8Bytes(json);
      live.storedBytes += bytes;
      live.pendingBytes += bytes;
      live.pending.push(json);
    }
    for (const chunk of batch.chunks) live.accumulator.apply(chunk);
    if (batch.jsons.length > 0) this.deps.streams.broadcastEvents(live.record.id, firstSeq, batch.jsons);
  }

  /**
   * The pending events (and `batch`'s, which follow them) as rows, with the translator's snapshot. With
   * `dropPending` (a failed end whose window cannot be stored) only `batch`, numbered after the window.
   */
  appendPending(live: LiveRun, lineSeq: number, batch?: TranslatedBatch, dropPending = false): void {
    const translator = batch?.translator ?? live.translator;
    const state = JSON.stringify(translator.snapshot());
    if (dropPending) {
      this.deps.runLog.append(live.record.id, lineSeq, live.eventSeq + 1, batch?.jsons ?? [], state);
      return;
    }
    const jsons = batch && batch.jsons.length > 0 ? [...live.pending, ...batch.jsons] : live.pending;
    this.deps.runLog.append(live.record.id, lineSeq, live.storedEventSeq + 1, jsons, state);
  }

  markStored(live: LiveRun): void {
    if (live.storeTimer) clearTimeout(live.storeTimer);
    live.storeTimer = null;
    live.storedLineSeq = live.lineSeq;
    live.storedEventSeq = live.eventSeq;
    live.pending = [];
    live.pendingBytes = 0;
  }

  /** Stores the window at its end, or at once when a row's worth of events is waiting. */
  scheduleStore(live: LiveRun): void {
    if (live.pendingBytes >= MAX_EVENT_ROW_BYTES) this.storeAndAck(live);
    else
      live.storeTimer ??= setTimeout(() => {
        live.storeTimer = null;
        this.storeAndAck(live);
      }, STORE_WINDOW_MS);
    this.scheduleMaterialize(live);
  }

  /**
   * What was taken in and not stored yet, in one transaction (with the running answer when
   * `withMessage`). Returns whether there was anything to store.
   */
  storePending(live: LiveRun, withMessage = false): boolean {
    const rows = live.lineSeq > live.storedLineSeq || live.pending.length > 0;
    if (!rows && !withMessage) return false;
    this.deps.storage.transactionSync(() => {
      if (rows) this.appendPending(live, live.lineSeq);
      // The message holds exactly the stored events: never ahead of what a restart rebuilds.
      if (withMessage) this.deps.messages.upsert(assistantMessage(live, true));
    });
    this.markStored(live);
    if (withMessage) live.materializedAt = Date.now();
    return rows;
  }

  /** Stores the window, then acknowledges it to the host (the output gate holds the ack until durable). */
  private storeAndAck(live: LiveRun, withMessage = false): void {
    if (this.deps.liveRun() !== live) return;
    let stored: boolean;
    try {
      try {
        stored = this.storePending(live, withMessage);
      } catch (error) {
        if (!withMessage) throw error;
        // The running answer is only a progress copy (the end writes it again): the events go without it.
        console.error("writing the running answer failed", error);
        live.materializedAt = Date.now();
        stored = this.storePending(live);
      }
    } catch (error) {
      void this.deps.failStore(live, error);
      return;
    }
    if (stored) this.deps.acknowledge(live);
  }

  /** Writes the growing assistant message (with the pending events) at most every 2 s, and at the end in endRun. */
  private scheduleMaterialize(live: LiveRun): void {
    if (live.materializeTimer || this.deps.liveRun() !== live) return;
    const due = live.materializedAt + MATERIALIZE_INTERVAL_MS - Date.now();
    live.materializeTimer = setTimeout(
      () => {
        live.materializeTimer = null;
        this.storeAndAck(live, true);
      },
      Math.max(0, due),
    );
  }
}
