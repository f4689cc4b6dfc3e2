import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { LineSplitter } from "../src/line-splitter.ts";

const bytes = (text: string) => Buffer.from(text, "utf8");
/** The lines as text, read as the edge reads a frame: the decoder throws on bytes that are not UTF-8. */
const texts = (lines: Buffer[]) => lines.map((line) => new TextDecoder("utf-8", { fatal: true }).decode(line));

/** Feed `text` in pieces cut at the given byte offsets; returns every line, including the flushed last one. */
function splitAt(text: string, cuts: number[], splitter = new LineSplitter()): string[] {
  const all = bytes(text);
  const lines: string[] = [];
  let start = 0;
  for (const cut of [...cuts, all.length]) {
    lines.push(...texts(splitter.push(all.subarray(start, cut))));
    start = cut;
  }
  return [...lines, ...texts(splitter.end())];
}

describe("LineSplitter", () => {
  it("splits on newlines and keeps an unfinished line until more arrives", () => {
    const splitter = new LineSplitter();
    expect(texts(splitter.push(bytes('{"a":1}\n{"b"')))).toEqual(['{"a":1}']);
    expect(texts(splitter.push(bytes(':2}\n')))).toEqual(['{"b":2}']);
    expect(texts(splitter.end())).toEqual([]);
  });

  it("flushes a final line that has no newline at the end of the stream", () => {
    const splitter = new LineSplitter();
    expect(texts(splitter.push(bytes('{"a":1}\n{"last":true}')))).toEqual(['{"a":1}']);
    expect(texts(splitter.end())).toEqual(['{"last":true}']);
  });

  it("tolerates CRLF, also when the CR and LF arrive in different chunks", () => {
    expect(splitAt('{"a":1}\r\n{"b":2}\r\n', [8])).toEqual(['{"a":1}', '{"b":2}']);
    expect(splitAt("one\r\ntwo\r", [])).toEqual(["one", "two"]);
  });

  it("drops blank lines", () => {
    expect(splitAt("a\n\n  \r\n\nb\n", [])).toEqual(["a", "b"]);
  });

  it("decodes a multi-byte character split across chunks at every possible byte", () => {
    const text = '{"delta":"héllo 🌍 日本"}\n';
    const length = bytes(text).length;
    for (let cut = 1; cut < length; cut += 1) {
      expect(splitAt(text, [cut])).toEqual(['{"delta":"héllo 🌍 日本"}']);
    }
    // one byte at a time
    expect(splitAt(text, Array.from({ length: length - 1 }, (_, i) => i + 1))).toEqual(['{"delta":"héllo 🌍 日本"}']);
  });

  it("does not depend on the caller keeping its buffer (a reused read buffer)", () => {
    const splitter = new LineSplitter();
    const buffer = Buffer.alloc(6);
    buffer.write("abc");
    expect(texts(splitter.push(buffer.subarray(0, 3)))).toEqual([]);
    buffer.write("def\nxx");
    expect(texts(splitter.push(buffer))).toEqual(["abcdef"]);
    expect(texts(splitter.end())).toEqual(["xx"]);
  });

  it("gives lines that stay as they were when the caller reuses its buffer for the next read", () => {
    const splitter = new LineSplitter();
    const buffer = Buffer.from('{"a":1}\n');
    const [line] = splitter.push(buffer);
    buffer.write('{"b":2}\n');
    expect(texts([line!])).toEqual(['{"a":1}']);
  });

  it("copies a line out of a chunk that is mostly something else, so a kept line holds about its own bytes", () => {
    const blanks = " \n".repeat(100 * 1024); // 200 KiB: a chunk well above Buffer's pool
    const splitter = new LineSplitter();
    const [among] = splitter.push(bytes(`{"a":1}\n${blanks}{"b"`));
    const [across] = splitter.push(bytes(`:2}\n${blanks}`));
    expect(texts([among!, across!])).toEqual(['{"a":1}', '{"b":2}']);
    // Each is its own bytes, or a slice of Buffer's shared pool, not a view of its 200 KiB chunk.
    expect(among!.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    expect(across!.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    // A chunk of lines is not copied: they are views of it.
    const [first, second] = splitter.push(bytes('{"c":3}\n{"d":4}\n'));
    expect(first!.buffer).toBe(second!.buffer);
  });

  it("carries a line that is not UTF-8 as valid UTF-8, each bad sequence as U+FFFD (a frame is a text message)", () => {
    const bad = Buffer.concat([bytes('{"delta":"a'), Buffer.from([0xff, 0xc3]), bytes('b","x":"é"}\n')]);
    const [line] = new LineSplitter().push(bad);
    expect(texts([line!])).toEqual(['{"delta":"a\uFFFD\uFFFDb","x":"é"}']);
  });

  it("drops a line of Unicode spaces as blank, and keeps a line that starts with a multi-byte character", () => {
    expect(splitAt("\u00a0\u2003\t\nñandú\n\u00a0x\n", [])).toEqual(["ñandú", "\u00a0x"]);
  });

  it("replaces a line longer than the limit with a skip marker giving its size, and carries on", () => {
    const splitter = new LineSplitter(10);
    const lines = [
      ...texts(splitter.push(bytes("short\n0123456789AB"))),
      ...texts(splitter.push(bytes("CDEF\r\nafter\n"))),
    ];
    expect(lines).toEqual(["short", skippedLineMarker("line-too-long", 16), "after"]);
    expect(JSON.parse(lines[1]!)).toEqual({ event: "relay", stream: "skipped", data: { reason: "line-too-long", bytes: 16 } });
  });

  it("keeps a line of exactly the limit, with or without CRLF", () => {
    expect(splitAt("0123456789\n0123456789\r\n", [], new LineSplitter(10))).toEqual(["0123456789", "0123456789"]);
    expect(splitAt("01234567890\n", [], new LineSplitter(10))).toEqual([skippedLineMarker("line-too-long", 11)]);
  });

  it("never holds more than the limit while an over-long line streams through", () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.alloc(64 * 1024, "x");
    let most = 0;
    for (let i = 0; i < 64; i += 1) {
      expect(texts(splitter.push(chunk))).toEqual([]);
      most = Math.max(most, splitter.heldBytes);
    }
    expect(most).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
    expect(texts(splitter.push(bytes("\nok\n")))).toEqual([skippedLineMarker("line-too-long", 64 * 64 * 1024), "ok"]);
  });

  it("reports an over-long unfinished line at the end of the stream", () => {
    const splitter = new LineSplitter(4);
    splitter.push(bytes("abcdefgh"));
    expect(texts(splitter.end())).toEqual([skippedLineMarker("line-too-long", 8)]);
  });
});
