// One browser's SSE stream out of the session object. The object encodes each batch once and writes
// the same bytes to every subscriber; a subscriber whose reader falls too far behind is cut (its browser
// resumes with Last-Event-ID and reads the gap from storage) so a slow phone never makes the object
// buffer a whole run in memory.

/** Bytes queued for one subscriber before it counts as too slow and is cut. */
export const MAX_SUBSCRIBER_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Bytes queued before a replay waits for the reader (replay reads storage a page at a time). */
const REPLAY_HIGH_WATER_BYTES = 256 * 1024;

export class Subscriber {
  readonly stream: ReadableStream<Uint8Array>;
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
          this.waitingForPull?.();
          this.waitingForPull = null;
        },
        cancel: () => {
          this.open = false;
          this.waitingForPull?.();
          onGone(this);
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: REPLAY_HIGH_WATER_BYTES }),
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Queues bytes; returns false (and cuts the stream) when the reader is too far behind. */
  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    this.controller.enqueue(bytes);
    if ((this.controller.desiredSize ?? 0) < -MAX_SUBSCRIBER_BACKLOG_BYTES) {
      this.open = false;
      this.controller.error(new Error("subscriber fell too far behind; resume with Last-Event-ID"));
      return false;
    }
    return true;
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
  }
}
