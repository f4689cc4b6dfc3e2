// Server-sent-event framing of the UI message stream (pure). Each chunk is one event whose `id:` is
// its sequence number, so a browser resumes with Last-Event-ID; the chunk JSON never carries it.

export const SSE_DONE = "data: [DONE]\n\n";
export const SSE_KEEPALIVE = ": keepalive\n\n";

/** "id: <seq>\ndata: <json>\n\n" for each chunk, numbered from firstSeq. */
export function encodeEvents(firstSeq: number, chunksJson: string[]): string {
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) {
    throw new Error(`encodeEvents: firstSeq must be a non-negative integer, got ${firstSeq}`);
  }
  let text = "";
  for (let i = 0; i < chunksJson.length; i++) {
    const json = chunksJson[i]!;
    // A line break would end the data line early and corrupt the event (JSON.stringify never emits one).
    if (/[\r\n]/.test(json)) throw new Error(`encodeEvents: chunk ${firstSeq + i} contains a line break`);
    text += `id: ${firstSeq + i}\ndata: ${json}\n\n`;
  }
  return text;
}

const encoder = new TextEncoder();

/** encodeEvents as the bytes a stream writes. */
export function encodeEventBytes(firstSeq: number, chunksJson: string[]): Uint8Array {
  return encoder.encode(encodeEvents(firstSeq, chunksJson));
}
