// The items of one run the edge has not acknowledged yet, and the frames that carry them.
//
// Lines get sequence numbers 1, 2, 3, ...; the exit gets the last line's number + 1. An item stays here
// until the edge acknowledges a number at or above it, so after any reconnect the host can resend from
// the edge's resume point. No sockets or timers here: the run link decides when to send.
//
// Frames are fixed once sent: a frame resent after a reconnect holds exactly the lines it held the first
// time (protocol/host.ts, linesFrameHeader), because the edge makes a frame's events from the whole frame.
//
// Memory bound: the unacknowledged items are counted in the memory they hold: each line's UTF-8 bytes,
// and LINE_HOLD_BYTES for the object that holds it (counting bytes alone, 16 MiB of 2-byte lines would
// take ~700 MB). Past `pauseAtBytes` the outbox asks for the agent's output to be paused (the runner
// stops reading its stdout pipe, so the agent blocks on write); acknowledgements that bring it down to
// half of that lift the pause. So a run holds at most `pauseAtBytes` (twice that at worst: a line is a
// view of the bytes read, see LineSplitter) plus what was already read when the pause began (one pipe
// read, 64 KiB, and the splitter's unfinished line, at most MAX_LINE_BYTES).
import { encodeLinesFrameBytes, linesFrameOverheadBytes } from "../../protocol/host.ts";
import { MAX_FRAME_BYTES, MAX_LINES_PER_FRAME } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";

/** Default bound on one run's unacknowledged bytes (see above). */
export const UNACKED_BYTES_PAUSE = 16 * 1024 * 1024;

/** What holding one line costs beyond its bytes: its Buffer view (~114 bytes in Node 24, measured) and its slot. */
export const LINE_HOLD_BYTES = 128;

/**
 * One line of the agent's events: the bytes the agent wrote (from LineSplitter: valid UTF-8, no "\n"),
 * or text an adapter made.
 */
export type AgentLine = string | Uint8Array;

const decoder = new TextDecoder();

/** An agent line as text. */
export function agentLineText(line: AgentLine): string {
  return typeof line === "string" ? line : decoder.decode(line);
}

/** How the agent ended, as reported in the exit frame. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  stderrTail: string;
  error?: string;
}

/** One frame, the UTF-8 bytes of a text message, and what it covers. */
export interface OutgoingFrame {
  data: Uint8Array;
  firstSeq: number;
  lastSeq: number;
}

export interface OutboxLimits {
  maxLinesPerFrame: number;
  maxFrameBytes: number;
  pauseAtBytes: number;
}

// The header with the largest sequence number a run can have (16 digits).
const LINES_FRAME_OVERHEAD = linesFrameOverheadBytes(10 ** 15);

export class RunOutbox {
  readonly #limits: OutboxLimits;
  /** The lines as UTF-8; index 0 holds `#baseSeq`. */
  #lines: Uint8Array[] = [];
  #head = 0;
  #baseSeq = 1;
  /** The last sequence number of each frame sent and not wholly acknowledged, ascending. */
  #sentFrameEnds: number[] = [];
  #exit: { seq: number; data: Uint8Array } | undefined;
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
    return this.#exit ? this.#exit.seq : this.#baseSeq + this.#lines.length - 1;
  }

  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** The memory the unacknowledged lines hold, as the bound counts it (see above). */
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

  pushLines(lines: readonly AgentLine[]): void {
    if (this.#exit) throw new Error("a run's lines cannot follow its exit");
    // The largest line a frame can carry; past it the line is replaced (never split). The splitter's
    // limit (MAX_LINE_BYTES) is well below it: this guards lines made by an adapter.
    const room = this.#limits.maxFrameBytes - LINES_FRAME_OVERHEAD;
    for (const line of lines) {
      let bytes = typeof line === "string" ? Buffer.from(line) : line;
      // A "\n" would end the line on the wire and shift every later line's number (the splitter's
      // lines have none).
      const newline = typeof line === "string" && line.includes("\n");
      if (bytes.length > room || newline) {
        bytes = Buffer.from(skippedLineMarker(newline ? "line-has-newline" : "line-too-long", bytes.length));
      }
      this.#lines.push(bytes);
      this.#unackedBytes += bytes.length + LINE_HOLD_BYTES;
    }
    if (this.#unackedBytes >= this.#limits.pauseAtBytes) this.#wantsPause = true;
  }

  pushExit(exit: AgentExit): void {
    if (this.#exit) throw new Error("a run has one exit");
    const seq = this.lastSeq + 1;
    const frame = { type: "exit", seq, code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail, error: exit.error };
    this.#exit = { seq, data: Buffer.from(JSON.stringify(frame)) };
  }

  /** The edge has stored everything up to and including `seq`. Returns false if `seq` went backwards. */
  ack(seq: number): boolean {
    if (seq < this.#ackedSeq) return false;
    const upTo = Math.min(seq, this.lastSeq);
    while (this.#baseSeq + this.#head <= upTo && this.#head < this.#lines.length) {
      this.#unackedBytes -= this.#lines[this.#head]!.length + LINE_HOLD_BYTES;
      this.#head += 1;
    }
    this.#ackedSeq = upTo;
    let acked = 0;
    while (acked < this.#sentFrameEnds.length && this.#sentFrameEnds[acked]! <= upTo) acked += 1;
    if (acked > 0) this.#sentFrameEnds.splice(0, acked);
    this.#compact();
    if (this.#unackedBytes <= this.#limits.pauseAtBytes / 2) this.#wantsPause = false;
    return true;
  }

  /**
   * The frame that starts at `fromSeq`: the frame sent from there before, if one was (the same lines;
   * the rest of it when `fromSeq` falls inside it), else as many consecutive lines as fit, or the exit
   * once every line is before `fromSeq`. Undefined when nothing from `fromSeq` on is waiting, or when
   * `allowPartial` is false and the lines waiting do not fill a new frame yet (more may join it). The
   * caller sends what it gets: a new frame is remembered as sent.
   */
  frameFrom(fromSeq: number, allowPartial = true): OutgoingFrame | undefined {
    const first = Math.max(fromSeq, this.#ackedSeq + 1);
    const index = first - this.#baseSeq;
    if (index < this.#lines.length) {
      const sentEnd = this.#sentFrameEnds.find((end) => end >= first);
      if (sentEnd !== undefined) return this.#linesFrame(first, index, index + (sentEnd - first) + 1);
      const end = this.#newFrameEnd(index, allowPartial);
      if (end === undefined) return undefined;
      this.#sentFrameEnds.push(first + (end - index) - 1);
      return this.#linesFrame(first, index, end);
    }
    if (this.#exit && first <= this.#exit.seq) return { data: this.#exit.data, firstSeq: this.#exit.seq, lastSeq: this.#exit.seq };
    return undefined;
  }

  /** Where a new frame from `index` ends (exclusive), or undefined if it is not full and may not be partial. */
  #newFrameEnd(index: number, allowPartial: boolean): number | undefined {
    const { maxLinesPerFrame, maxFrameBytes } = this.#limits;
    let bytes = LINES_FRAME_OVERHEAD;
    let end = index;
    while (end < this.#lines.length && end - index < maxLinesPerFrame) {
      const next = bytes + this.#lines[end]!.length + (end > index ? 1 : 0);
      if (next > maxFrameBytes) break;
      bytes = next;
      end += 1;
    }
    // Full: a limit was reached, or the exit is queued so no more lines can join.
    const full = end < this.#lines.length || end - index === maxLinesPerFrame || this.#exit !== undefined;
    return full || allowPartial ? end : undefined;
  }

  #linesFrame(firstSeq: number, index: number, end: number): OutgoingFrame {
    return { data: encodeLinesFrameBytes(firstSeq, this.#lines.slice(index, end)), firstSeq, lastSeq: firstSeq + (end - index) - 1 };
  }

  /** Drop acknowledged slots once they are the larger part of the arrays (amortised O(1) per line). */
  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#lines.length) return;
    this.#lines = this.#lines.slice(this.#head);
    this.#baseSeq += this.#head;
    this.#head = 0;
  }
}
