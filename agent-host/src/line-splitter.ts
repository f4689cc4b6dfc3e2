// Bytes from an agent's stdout -> complete lines, as UTF-8 bytes (the frames carry them as they are).
//
// A line ends at "\n"; a "\r" before it is dropped (CRLF agents). "\n" never occurs inside a multi-byte
// UTF-8 sequence, so a character split across two chunks stays whole in its line. A line that is not
// valid UTF-8 is decoded with U+FFFD for each bad sequence and encoded again: a frame is a text
// message, which must be valid UTF-8. Blank lines carry nothing and are dropped. A line longer than
// the limit is never held whole: once its bytes pass the limit they are counted and discarded, and the
// line is replaced by a skip marker that says how long it was.
import { isUtf8 } from "node:buffer";
import { MAX_LINE_BYTES } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const DELETE = 0x7f;

export class LineSplitter {
  readonly #maxLineBytes: number;
  /** Bytes of the unfinished line (only while it is within the limit). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of an over-long line seen so far, or -1 when not inside one. */
  #skippedBytes = -1;
  #skippedEndsWithCr = false;

  constructor(maxLineBytes: number = MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feed a chunk; returns the lines it completed, in order. */
  push(chunk: Uint8Array): Buffer[] {
    // The lines outlive this call and the caller may reuse its buffer: one copy of the chunk, and the
    // lines are views of it (a copy per line cost more than the rest of the split).
    const bytes = Buffer.from(chunk);
    const lines: Buffer[] = [];
    let start = 0;
    if (this.#pendingBytes > 0 || this.#skippedBytes >= 0) {
      // The line an earlier chunk began: its pieces are joined (or counted) first.
      const newline = bytes.indexOf(NEWLINE);
      this.#take(bytes.subarray(0, newline === -1 ? bytes.length : newline));
      if (newline === -1) return lines;
      this.#finishLine(lines);
      start = newline + 1;
    }
    // Lines wholly inside this chunk: one view each, nothing held.
    const firstInChunk = lines.length;
    for (let newline = bytes.indexOf(NEWLINE, start); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
      const end = newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      this.#emit(lines, bytes.subarray(start, end));
      start = newline + 1;
    }
    if (start < bytes.length) this.#take(bytes.subarray(start));
    this.#copyOutOfSparseChunk(bytes, lines, firstInChunk);
    return lines;
  }

  /**
   * A view keeps its whole chunk alive, and the host's memory bound counts only the line: when the
   * lines kept from a chunk are the smaller part of it (blank lines, a long line's dropped bytes), they
   * are copied out of it, so what is held stays within twice what is counted.
   */
  #copyOutOfSparseChunk(chunk: Buffer, lines: Buffer[], from: number): void {
    let viewed = 0;
    for (let i = from; i < lines.length; i++) if (lines[i]!.buffer === chunk.buffer) viewed += lines[i]!.length;
    if (viewed * 2 >= chunk.length) return;
    for (let i = from; i < lines.length; i++) if (lines[i]!.buffer === chunk.buffer) lines[i] = Buffer.from(lines[i]!);
  }

  /** The stream ended: the unfinished last line, if any, counts as a line. */
  end(): Buffer[] {
    const lines: Buffer[] = [];
    this.#finishLine(lines);
    return lines;
  }

  /** Bytes held for the unfinished line (never more than the limit + 1). */
  get heldBytes(): number {
    return this.#pendingBytes;
  }

  #take(segment: Buffer): void {
    if (segment.length === 0) return;
    const endsWithCr = segment[segment.length - 1] === CARRIAGE_RETURN;
    if (this.#skippedBytes >= 0) {
      this.#skippedBytes += segment.length;
      this.#skippedEndsWithCr = endsWithCr;
      return;
    }
    // +1: a line of exactly the limit may still be followed by the "\r" of its CRLF.
    if (this.#pendingBytes + segment.length > this.#maxLineBytes + 1) {
      this.#skippedBytes = this.#pendingBytes + segment.length;
      this.#skippedEndsWithCr = endsWithCr;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    this.#pending.push(segment);
    this.#pendingBytes += segment.length;
  }

  #finishLine(lines: Buffer[]): void {
    if (this.#skippedBytes >= 0) {
      const length = this.#skippedBytes - (this.#skippedEndsWithCr ? 1 : 0);
      this.#skippedBytes = -1;
      lines.push(Buffer.from(skippedLineMarker("line-too-long", length)));
      return;
    }
    if (this.#pendingBytes === 0) return;
    // Copied out of its chunks even when it is one piece: that piece, a chunk's tail, would keep the
    // whole chunk alive.
    const whole = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#emit(lines, whole[whole.length - 1] === CARRIAGE_RETURN ? whole.subarray(0, whole.length - 1) : whole);
  }

  /** A whole line without its "\r\n": kept (as valid UTF-8), dropped when blank, replaced when too long. */
  #emit(lines: Buffer[], line: Buffer): void {
    if (line.length > this.#maxLineBytes) {
      lines.push(Buffer.from(skippedLineMarker("line-too-long", line.length)));
      return;
    }
    // An agent's line starts with "{": only a line that starts otherwise is decoded to look further.
    const first = line[0];
    if (first !== undefined && first > SPACE && first < DELETE) {
      lines.push(isUtf8(line) ? line : Buffer.from(line.toString("utf8")));
      return;
    }
    const text = line.toString("utf8");
    if (text.trim() !== "") lines.push(isUtf8(line) ? line : Buffer.from(text));
  }
}
