// One browser's SSE stream out of the session object. The object encodes each batch once and writes
// the same bytes to every live subscriber. A subscriber whose reader falls behind (a slow phone, a
// stalled proxy, a client that never reads) leaves the live set and catches up from storage a page at a
// time, waiting for its reader between pages, so the object never holds more than its high-water mark
// plus one page for anyone (see byte-limits.ts).
import { encodeEventBytes } from "../sse.ts";
import { MAX_SUBSCRIBER_QUEUE_BYTES, SUBSCRIBER_HIGH_WATER_BYTES } from "./byte-limits.ts";
import type { StoredEvent } from "./run-log.ts";

export class Subscriber {
  readonly stream: ReadableStream<Uint8Array>;
  /** The seq of the last event written to this subscriber. */
  sentSeq = 0;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private waitingForPull: (() => void) | null = null;
  private open = true;

  constructor(onGone: (subscriber: Subscriber) => void) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          this.wake();
        },
        cancel: () => {
          this.open = false;
          this.wake();
          onGone(this);
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: SUBSCRIBER_HIGH_WATER_BYTES }),
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Bytes written and not yet taken by the reader. */
  get queuedBytes(): number {
    return this.open ? SUBSCRIBER_HIGH_WATER_BYTES - (this.controller.desiredSize ?? SUBSCRIBER_HIGH_WATER_BYTES) : 0;
  }

  /**
   * Queues a live batch of events up to `lastSeq`, unless that would take the queue past
   * MAX_SUBSCRIBER_QUEUE_BYTES: then it returns false, and the batch waits in storage for a catch-up.
   */
  offerEvents(bytes: Uint8Array, lastSeq: number): boolean {
    if (!this.open) return true;
    if (this.queuedBytes + bytes.byteLength > MAX_SUBSCRIBER_QUEUE_BYTES) return false;
    this.writeEvents(bytes, lastSeq);
    return true;
  }

  /**
   * Writes stored pages, one at a time, waiting for the reader to take each before reading the next
   * (the iterable reads storage lazily). Returns whether it wrote anything.
   */
  async catchUp(pages: Iterable<StoredEvent[]>): Promise<boolean> {
    let wroteSomething = false;
    for (const page of pages) {
      if (!this.open) return wroteSomething;
      this.writeEvents(encodeEventBytes(page[0]!.seq, page.map((event) => event.json)), page[page.length - 1]!.seq);
      wroteSomething = true;
      await this.drained();
    }
    return wroteSomething;
  }

  /** Queues bytes that are not events (keep-alive comments, the final [DONE]). */
  writeRaw(bytes: Uint8Array): void {
    if (this.open) this.controller.enqueue(bytes);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.controller.close();
    this.wake();
  }

  /** Queues events up to `lastSeq` whatever the queue holds (the store window: at most one row's bytes). */
  writeEvents(bytes: Uint8Array, lastSeq: number): void {
    if (!this.open) return;
    this.controller.enqueue(bytes);
    this.sentSeq = lastSeq;
  }

  /** Resolves when the reader has room again (or is gone). */
  private drained(): Promise<void> {
    if (!this.open || (this.controller.desiredSize ?? 1) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waitingForPull = resolve;
    });
  }

  private wake(): void {
    this.waitingForPull?.();
    this.waitingForPull = null;
  }
}
