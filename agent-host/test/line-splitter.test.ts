import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../../protocol/limits.ts";
import { skippedLineMarker } from "../../protocol/skipped-line.ts";
import { LineSplitter } from "../src/line-splitter.ts";

const bytes = (text: string) => Buffer.from(text, "utf8");

/** Feed `text` in pieces cut at the given byte offsets; returns every line, including the flushed last one. */
function splitAt(text: string, cuts: number[], splitter = new LineSplitter()): string[] {
  const all = bytes(text);
  const lines: string[] = [];
  let start = 0;
  for (const cut of [...cuts, all.length]) {
    lines.push(...splitter.push(all.subarray(start, cut)));
    start = cut;
  }
  return [...lines, ...splitter.end()];
}

describe("LineSplitter", () => {
  it("splits on newlines and keeps an unfinished line until more arrives", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(splitter.push(bytes(':2}\n'))).toEqual(['{"b":2}']);
    expect(splitter.end()).toEqual([]);
  });

  it("flushes a final line that has no newline at the end of the stream", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('{"a":1}\n{"last":true}'))).toEqual(['{"a":1}']);
    expect(splitter.end()).toEqual(['{"last":true}']);
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
    expect(splitter.push(buffer.subarray(0, 3))).toEqual([]);
    buffer.write("def\nxx");
    expect(splitter.push(buffer)).toEqual(["abcdef"]);
    expect(splitter.end()).toEqual(["xx"]);
  });

  it("replaces a line longer than the limit with a skip marker giving its size, and carries on", () => {
    const splitter = new LineSplitter(10);
    const lines = [
      ...splitter.push(bytes("short\n0123456789AB")),
      ...splitter.push(bytes("CDEF\r\nafter\n")),
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
      expect(splitter.push(chunk)).toEqual([]);
      most = Math.max(most, splitter.heldBytes);
    }
    expect(most).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
    expect(splitter.push(bytes("\nok\n"))).toEqual([skippedLineMarker("line-too-long", 64 * 64 * 1024), "ok"]);
  });

  it("reports an over-long unfinished line at the end of the stream", () => {
    const splitter = new LineSplitter(4);
    splitter.push(bytes("abcdefgh"));
    expect(splitter.end()).toEqual([skippedLineMarker("line-too-long", 8)]);
  });
});
