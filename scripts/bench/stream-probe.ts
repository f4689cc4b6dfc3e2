// A browser's SSE reader, instrumented and kept light (on this machine the readers share the CPU with
// the relay): reads one UI-message stream to its [DONE], checks that event ids go 1, 2, 3, ... without
// a gap or repeat, and, when asked, reads the bench agent's deltas out of the chunks once the stream
// has ended: when each arrived (latency = arrival - the write time inside the delta) and how often.
import { forEachBenchDelta } from "./figures.ts";

/** Epoch milliseconds with sub-millisecond precision; the bench agent stamps its lines with the same clock. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface StreamReading {
  /** Events with an `id:` (chunks), and the last id seen. */
  events: number;
  lastId: number;
  /** The ids went up by one from the first one read, with no gap and no repeat. */
  idsInOrder: boolean;
  done: boolean;
  /** When the bytes holding [DONE] (or the end of the stream) arrived. */
  endedAt: number;
  /** When the first delta was written by the agent (from its text), and when it arrived; with `deltas` only. */
  firstWrittenAt: number | null;
  firstArrivedAt: number | null;
  /** Per delta read: arrival - written, in ms; with `latencies` only. */
  latencies: number[];
  /** How many times each delta number (1..expected) arrived (index 0 unused); with `deltas` only. */
  deltaCounts: Uint16Array;
}

export interface ReadOptions {
  /** Read the deltas out of the chunks (their numbers and write times). */
  deltas?: boolean;
  /** Also keep each delta's latency (implies `deltas`). */
  latencies?: boolean;
}

const DONE = "data: [DONE]";

export async function readStream(response: Response, expectedDeltas: number, options: ReadOptions = {}): Promise<StreamReading> {
  const readDeltas = options.deltas === true || options.latencies === true;
  const reading: StreamReading = {
    events: 0,
    lastId: 0,
    idsInOrder: true,
    done: false,
    endedAt: 0,
    firstWrittenAt: null,
    firstArrivedAt: null,
    latencies: [],
    deltaCounts: new Uint16Array(readDeltas ? expectedDeltas + 1 : 0),
  };
  // Chunk data and when it arrived, read for deltas once the stream has ended: the reading happens
  // outside the run, as the reference's subscriber (which only counts events) does none during it.
  const arrived: Array<{ data: string; at: number }> = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (!reading.done) {
    const { done, value } = await reader.read();
    const arrivedAt = now();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    // Events are "id: <n>\ndata: <json>\n\n" (comments and [DONE] have no id line).
    let start = 0;
    let end: number;
    while (!reading.done && (end = buffer.indexOf("\n\n", start)) >= 0) {
      let data = start;
      if (buffer.startsWith("id: ", start)) {
        data = buffer.indexOf("\n", start) + 1;
        const id = Number(buffer.slice(start + 4, data - 1));
        if (reading.lastId !== 0 && id !== reading.lastId + 1) reading.idsInOrder = false;
        reading.lastId = id;
        reading.events += 1;
      }
      if (buffer.startsWith(DONE, data)) {
        reading.done = true;
        reading.endedAt = arrivedAt;
      } else if (readDeltas) arrived.push({ data: buffer.slice(data, end), at: arrivedAt });
      start = end + 2;
    }
    buffer = buffer.slice(start);
  }
  if (reading.done) await reader.cancel();
  else reading.endedAt = now();
  for (const { data, at } of arrived) noteDeltas(data, at, reading, options.latencies === true);
  return reading;
}

function noteDeltas(dataLine: string, arrivedAt: number, reading: StreamReading, keepLatency: boolean): void {
  forEachBenchDelta(dataLine, (index, writtenAt) => {
    if (index < reading.deltaCounts.length) reading.deltaCounts[index]! += 1;
    reading.firstWrittenAt ??= writtenAt;
    reading.firstArrivedAt ??= arrivedAt;
    if (keepLatency) reading.latencies.push(arrivedAt - writtenAt);
  });
}
