// One browser's SSE stream out of the session object. The object encodes each batch once and writes
// the same bytes to every live subscriber. A subscriber whose reader falls behind (a slow phone, a
// stalled proxy) leaves the live set and catches up from storage a page at a time, waiting for its
// reader between pages, so the object never buffers a whole run in memory for anyone.

/** Bytes queued for one subscriber before it stops taking live batches and catches up from storage. */
export const MAX_SUBSCRIBER_BACKLOG_BYTES = 1024 * 1024;
/** Bytes queued before a replay waits for the reader. */
const REPLAY_HIGH_WATER_BYTES = 256 * 1024;

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
      new ByteLengthQueuingStrategy({ highWaterMark: REPLAY_HIGH_WATER_BYTES }),
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Its reader is so far behind that live batches should wait in storage instead of in memory. */
  get isBehind(): boolean {
    return (this.controller.desiredSize ?? 0) < -MAX_SUBSCRIBER_BACKLOG_BYTES;
  }

  /** Queues the bytes of events up to `lastSeq`. */
  writeEvents(bytes: Uint8Array, lastSeq: number): void {
    if (!this.open) return;
    this.controller.enqueue(bytes);
    this.sentSeq = lastSeq;
  }

  /** Queues bytes that are not events (keep-alive comments, the final [DONE]). */
  writeRaw(bytes: Uint8Array): void {
    if (this.open) this.controller.enqueue(bytes);
  }

  /** Resolves when the reader has room again (or is gone): replays await this between pages. */
  drained(): Promise<void> {
    if (!this.open || (this.controller.desiredSize ?? 1) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waitingForPull = resolve;
    });
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.controller.close();
    this.wake();
  }

  private wake(): void {
    this.waitingForPull?.();
    this.waitingForPull = null;
  }
}
