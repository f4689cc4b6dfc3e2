// What a run costs a deployed relay, per 1,000 agent lines (pure). Cloudflare bills Durable Objects per
// request (HTTP, RPC call, alarm; an incoming WebSocket message counts as 1/20) and per SQLite row
// written (inserted, updated or deleted).
//
// Measured: the rows each run left in its session's run log (run-log-rows.ts): one per frame the host
// sent, plus one for the run's start and one for its end. From those:
// - WebSocket messages into the session object = frames + the exit frame;
// - rows written = run-log rows x 2 (each is deleted again when the run is compacted after its grace
//   period) + the answer's writes (one every 2 s while running, one at the end) + the per-run rows below.
// Counted from the code (src/session, src/hub, src/session-index), the same for every run:
// - rows: meta (1), the user message (1), the run record (created, finished: 2), the hub's assignment
//   (inserted, deleted: 2), the session index (at start and at end: 2) = 8 (table rows; index entries
//   that Cloudflare also counts as rows add a few more per run);
// - requests: startChat (1), the host's run socket (1), the compaction alarm (1), the hub's startRun and
//   runEnded (2), the session index's two upserts (2) = 7, plus one per extra subscriber's GET /stream.
import type { RunRecord } from "./streaming.ts";

export const FIXED_ROWS_PER_RUN = 8;
export const FIXED_REQUESTS_PER_RUN = 7;
const MATERIALIZE_INTERVAL_MS = 2000;
const INCOMING_WEBSOCKET_MESSAGES_PER_REQUEST = 20;

export interface CostFigure {
  runs: number;
  linesPerFrame: number;
  runLogRowsPer1000: number;
  rowsWrittenPer1000: number;
  requestsPer1000: number;
}

export function costPer1000Lines(records: readonly RunRecord[], runLogRows: ReadonlyMap<string, number>): CostFigure {
  let lines = 0;
  let frames = 0;
  let logRows = 0;
  let rowsWritten = 0;
  let requests = 0;
  for (const record of records) {
    const rows = runLogRows.get(record.sessionId);
    if (rows === undefined) throw new Error(`no run log rows counted for session ${record.sessionId}`);
    const runFrames = rows - 2;
    lines += record.lines;
    frames += runFrames;
    logRows += rows;
    rowsWritten += rows * 2 + Math.floor(record.durationMs / MATERIALIZE_INTERVAL_MS) + 1 + FIXED_ROWS_PER_RUN;
    requests += (runFrames + 1) / INCOMING_WEBSOCKET_MESSAGES_PER_REQUEST + FIXED_REQUESTS_PER_RUN + (record.subscribers - 1);
  }
  const per1000 = (count: number) => (count * 1000) / lines;
  return {
    runs: records.length,
    linesPerFrame: lines / frames,
    runLogRowsPer1000: per1000(logRows),
    rowsWrittenPer1000: per1000(rowsWritten),
    requestsPer1000: per1000(requests),
  };
}
