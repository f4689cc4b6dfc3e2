// Bytes from an agent's stdout -> complete lines.
//
// A line ends at "\n"; a "\r" before it is dropped (CRLF agents). Bytes are decoded only once a whole
// line is known, and "\n" never occurs inside a multi-byte UTF-8 sequence, so a character split across
// two chunks decodes correctly. Blank lines carry nothing and are dropped. A line longer than the limit
// is never held whole: once its bytes pass the limit they are counted and discarded, and the line is
// replaced by a skip marker that says how long it was.
import { MAX_LINE_BYTES } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

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
  push(chunk: Uint8Array): string[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline;
      // The unfinished tail outlives this call: copy it, the caller may reuse its buffer.
      const segment = bytes.subarray(start, end);
      this.#take(newline === -1 ? Buffer.from(segment) : segment);
      if (newline === -1) break;
      this.#finishLine(lines);
      start = newline + 1;
    }
    return lines;
  }

  /** The stream ended: the unfinished last line, if any, counts as a line. */
  end(): string[] {
    const lines: string[] = [];
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

  #finishLine(lines: string[]): void {
    if (this.#skippedBytes >= 0) {
      const length = this.#skippedBytes - (this.#skippedEndsWithCr ? 1 : 0);
      this.#skippedBytes = -1;
      lines.push(skippedLineMarker("line-too-long", length));
      return;
    }
    if (this.#pendingBytes === 0) return;
    const whole = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    const length = whole[whole.length - 1] === CARRIAGE_RETURN ? whole.length - 1 : whole.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (length > this.#maxLineBytes) {
      lines.push(skippedLineMarker("line-too-long", length));
      return;
    }
    const line = whole.toString("utf8", 0, length);
    if (line.trim() !== "") lines.push(line);
  }
}
