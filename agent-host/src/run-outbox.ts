// The items of one run the edge has not acknowledged yet, and the frames that carry them.
//
// Lines get sequence numbers 1, 2, 3, ...; the exit gets the last line's number + 1. An item stays here
// until the edge acknowledges a number at or above it, so after any reconnect the host can resend from
// the edge's resume point. No sockets or timers here: the run link decides when to send.
//
// Memory bound: the unacknowledged items are counted in the UTF-8 bytes they take on the wire. Past
// `pauseAtBytes` the outbox asks for the agent's output to be paused (the runner stops reading its stdout
// pipe, so the agent blocks on write); acknowledgements that bring it down to half of that lift the pause.
// So a run holds at most `pauseAtBytes` plus what was already read when the pause began (one pipe read,
// 64 KiB, and the splitter's unfinished line, at most MAX_LINE_BYTES).
import { MAX_FRAME_BYTES, MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";

/** Default bound on one run's unacknowledged bytes (see above). */
export const UNACKED_BYTES_PAUSE = 16 * 1024 * 1024;

/** How the agent ended, as reported in the exit frame. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  stderrTail: string;
  error?: string;
}

/** One frame's text, ready for `WebSocket.send`, and what it covers. */
export interface OutgoingFrame {
  text: string;
  firstSeq: number;
  lastSeq: number;
  bytes: number;
}

export interface OutboxLimits {
  maxLinesPerFrame: number;
  maxFrameBytes: number;
  pauseAtBytes: number;
}

const LINES_FRAME_HEAD = '{"type":"lines","firstSeq":';
// `{"type":"lines","firstSeq":` + up to 16 digits + `,"lines":[` + `]}`
const LINES_FRAME_OVERHEAD = LINES_FRAME_HEAD.length + 16 + ',"lines":['.length + "]}".length;

export class RunOutbox {
  readonly #limits: OutboxLimits;
  /** JSON-encoded lines (each a JSON string literal) and their UTF-8 sizes; index 0 holds `#baseSeq`. */
  #encoded: string[] = [];
  #sizes: number[] = [];
  #head = 0;
  #baseSeq = 1;
  #exit: { seq: number; text: string } | undefined;
  #ackedSeq = 0;
  #unackedBytes = 0;
  #wantsPause = false;

  constructor(limits: Partial<OutboxLimits> = {}) {
    this.#limits = {
      maxLinesPerFrame: limits.maxLinesPerFrame ?? MAX_LINES_PER_FRAME,
      maxFrameBytes: limits.maxFrameBytes ?? MAX_FRAME_BYTES,
      pauseAtBytes: limits.pauseAtBytes ?? UNACKED_BYTES_PAUSE,
    };
  }

  /** The sequence number of the last item added (0 when none). */
  get lastSeq(): number {
    return this.#exit ? this.#exit.seq : this.#baseSeq + this.#encoded.length - 1;
  }

  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  get unackedBytes(): number {
    return this.#unackedBytes;
  }

  /** True from the moment unacknowledged bytes reach the bound until acks bring them to half of it. */
  get wantsPause(): boolean {
    return this.#wantsPause;
  }

  /** The edge has stored the exit: nothing of this run is left to send. */
  get delivered(): boolean {
    return this.#exit !== undefined && this.#ackedSeq >= this.#exit.seq;
  }

  pushLines(lines: readonly string[]): void {
    if (this.#exit) throw new Error("a run's lines cannot follow its exit");
    // The largest line a frame can carry once JSON-escaped; past it the line is replaced (never split).
    const room = this.#limits.maxFrameBytes - LINES_FRAME_OVERHEAD;
    for (const line of lines) {
      let encoded = JSON.stringify(line);
      let size = Buffer.byteLength(encoded);
      if (size > room) {
        encoded = JSON.stringify(skippedLineMarker("line-too-long", Buffer.byteLength(line)));
        size = Buffer.byteLength(encoded);
      }
      this.#encoded.push(encoded);
      this.#sizes.push(size);
      this.#unackedBytes += size + 1;
    }
    if (this.#unackedBytes >= this.#limits.pauseAtBytes) this.#wantsPause = true;
  }

  pushExit(exit: AgentExit): void {
    if (this.#exit) throw new Error("a run has one exit");
    const seq = this.lastSeq + 1;
    const frame = { type: "exit", seq, code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail, error: exit.error };
    this.#exit = { seq, text: JSON.stringify(frame) };
  }

  /** The edge has stored everything up to and including `seq`. Returns false if `seq` went backwards. */
  ack(seq: number): boolean {
    if (seq < this.#ackedSeq) return false;
    const upTo = Math.min(seq, this.lastSeq);
    while (this.#baseSeq + this.#head <= upTo && this.#head < this.#encoded.length) {
      this.#unackedBytes -= this.#sizes[this.#head]! + 1;
      this.#head += 1;
    }
    this.#ackedSeq = upTo;
    this.#compact();
    if (this.#unackedBytes <= this.#limits.pauseAtBytes / 2) this.#wantsPause = false;
    return true;
  }

  /**
   * The frame that starts at `fromSeq`: as many consecutive lines as fit, or the exit once every line
   * is before `fromSeq`. Undefined when nothing from `fromSeq` on is waiting, or when `allowPartial`
   * is false and the lines waiting do not fill a frame yet (more may join it).
   */
  frameFrom(fromSeq: number, allowPartial = true): OutgoingFrame | undefined {
    const first = Math.max(fromSeq, this.#ackedSeq + 1);
    const index = first - this.#baseSeq;
    if (index < this.#encoded.length) return this.#linesFrame(first, index, allowPartial);
    if (this.#exit && first <= this.#exit.seq) {
      const bytes = Buffer.byteLength(this.#exit.text);
      return { text: this.#exit.text, firstSeq: this.#exit.seq, lastSeq: this.#exit.seq, bytes };
    }
    return undefined;
  }

  #linesFrame(firstSeq: number, index: number, allowPartial: boolean): OutgoingFrame | undefined {
    const { maxLinesPerFrame, maxFrameBytes } = this.#limits;
    const head = `${LINES_FRAME_HEAD}${firstSeq},"lines":[`;
    let bytes = head.length + 2;
    let end = index;
    while (end < this.#encoded.length && end - index < maxLinesPerFrame) {
      const next = bytes + this.#sizes[end]! + (end > index ? 1 : 0);
      if (next > maxFrameBytes) break;
      bytes = next;
      end += 1;
    }
    // Full: a limit was reached, or the exit is queued so no more lines can join.
    const full = end < this.#encoded.length || end - index === maxLinesPerFrame || this.#exit !== undefined;
    if (!full && !allowPartial) return undefined;
    const text = `${head}${this.#encoded.slice(index, end).join(",")}]}`;
    return { text, firstSeq, lastSeq: firstSeq + (end - index) - 1, bytes };
  }

  /** Drop acknowledged slots once they are the larger part of the arrays (amortised O(1) per line). */
  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#encoded.length) return;
    this.#encoded = this.#encoded.slice(this.#head);
    this.#sizes = this.#sizes.slice(this.#head);
    this.#baseSeq += this.#head;
    this.#head = 0;
  }
}
