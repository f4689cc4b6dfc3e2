// The session object's SSE fan-out: the browsers following the current run. Each new stream replays the
// stored events after its id a page at a time, then the store window from memory, then joins the live
// set, which gets every batch as it is taken in (encoded once, the same bytes for all). A subscriber that
// falls behind leaves the live set and catches up from storage again (see subscriber.ts); keep-alives
// run only while someone follows.
import { encodeEventBytes, SSE_DONE, SSE_KEEPALIVE } from "../sse.ts";
import type { LiveRun } from "./live-run.ts";
import type { RunLog } from "./run-log.ts";
import { Subscriber } from "./subscriber.ts";

const encoder = new TextEncoder();
const KEEPALIVE_BYTES = encoder.encode(SSE_KEEPALIVE);
const DONE_BYTES = encoder.encode(SSE_DONE);

export class StreamFanout {
  private readonly subscribers = new Set<Subscriber>();
  private keepaliveTimer: ReturnType<typeof setInterval> | null = null;
  private readonly runLog: RunLog;
  private readonly liveRun: () => LiveRun | null;
  private readonly keepaliveMs: number;

  /** `liveRun` is the object's running run now (null when none): a replay joins it or ends with [DONE]. */
  constructor(runLog: RunLog, liveRun: () => LiveRun | null, keepaliveMs: number) {
    this.runLog = runLog;
    this.liveRun = liveRun;
    this.keepaliveMs = keepaliveMs;
  }

  /** A new browser stream of run `runId`'s events after `afterSeq`, then live until the run ends. */
  open(runId: string, afterSeq: number): ReadableStream<Uint8Array> {
    const subscriber = new Subscriber((gone) => this.dropSubscriber(gone));
    this.follow(subscriber, runId, afterSeq);
    return subscriber.stream;
  }

  /** Starts a replay in the background; a failure ends that subscriber's stream (its browser resumes). */
  follow(subscriber: Subscriber, runId: string, afterSeq: number): void {
    this.replayThenFollow(subscriber, runId, afterSeq).catch((error: unknown) => {
      console.error("replay failed", error);
      subscriber.close();
    });
  }

  /** Takes the live subscribers that have been sent events beyond `eventSeq` out of the live set. */
  takeBeyond(eventSeq: number): Subscriber[] {
    const beyond = [...this.subscribers].filter((subscriber) => subscriber.sentSeq > eventSeq);
    for (const subscriber of beyond) this.subscribers.delete(subscriber);
    return beyond;
  }

  /** Sends the stored events after `afterSeq` a page at a time, then joins the live set (or ends). */
  private async replayThenFollow(subscriber: Subscriber, runId: string, afterSeq: number): Promise<void> {
    subscriber.sentSeq = afterSeq;
    let reread = false;
    for (;;) {
      const readSomething = await subscriber.catchUp(this.runLog.pages(runId, subscriber.sentSeq));
      if (!subscriber.isOpen) return;
      if (readSomething) {
        reread = false;
        continue; // more may have been stored while we waited for the reader
      }
      const live = this.liveRun();
      if (live?.record.id !== runId) {
        subscriber.writeRaw(DONE_BYTES);
        subscriber.close();
        return;
      }
      if (live.eventSeq > subscriber.sentSeq) {
        // Storage has all it holds after sentSeq; the rest is the store window, in memory.
        if (subscriber.sentSeq < live.storedEventSeq) {
          // Stored while this replay awaited: read again, once; storage that still has nothing is a bug,
          // and a replay never spins on it.
          if (reread) throw new Error(`replay of ${runId} stuck at ${subscriber.sentSeq}, stored up to ${live.storedEventSeq}`);
          reread = true;
          continue;
        }
        const pending = live.pending.slice(subscriber.sentSeq - live.storedEventSeq);
        subscriber.writeEvents(encodeEventBytes(subscriber.sentSeq + 1, pending), live.eventSeq);
      }
      // Caught up with the running run (or waiting for the events a restart is re-translating): from
      // here on it gets each batch as it is taken in.
      this.subscribers.add(subscriber);
      this.startKeepalive();
      return;
    }
  }

  /** Writes one batch to every live subscriber; one that has fallen behind catches up from storage. */
  broadcastEvents(runId: string, firstSeq: number, jsons: string[]): void {
    const lastSeq = firstSeq + jsons.length - 1;
    let bytes: Uint8Array | null = null;
    for (const subscriber of this.subscribers) {
      // Waiting for events it saw before a restart: it gets only what follows them.
      if (subscriber.sentSeq >= lastSeq) continue;
      const out =
        subscriber.sentSeq >= firstSeq
          ? encodeEventBytes(subscriber.sentSeq + 1, jsons.slice(subscriber.sentSeq + 1 - firstSeq))
          : (bytes ??= encodeEventBytes(firstSeq, jsons));
      if (!subscriber.offerEvents(out, lastSeq)) {
        this.subscribers.delete(subscriber);
        this.follow(subscriber, runId, subscriber.sentSeq);
      }
    }
  }

  /** Ends every live stream with [DONE]: the run they follow is over. */
  endStreams(): void {
    for (const subscriber of this.subscribers) {
      subscriber.writeRaw(DONE_BYTES);
      subscriber.close();
    }
    this.subscribers.clear();
    this.stopKeepalive();
  }

  private dropSubscriber(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stopKeepalive();
  }

  private startKeepalive(): void {
    this.keepaliveTimer ??= setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.writeRaw(KEEPALIVE_BYTES);
    }, this.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }
}
