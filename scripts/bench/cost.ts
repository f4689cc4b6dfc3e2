// What runs cost a deployed relay (pure arithmetic over measured usage). Cloudflare bills Durable
// Objects per request (HTTP, RPC call, alarm; an incoming WebSocket message counts as 1/20) and per SQLite
// row written (inserted, updated or deleted, as each statement's `rowsWritten` says).
//
// Measured (scripts/bench/metered/worker.ts): every statement's rowsWritten in the session object, the
// hub and the session index, from before a run starts until after its events were compacted; and the
// WebSocket messages the session object received on the run socket.
// Counted from the code (src/session, src/hub, src/session-index), the same for every run: requests =
// startChat (1), the host's run socket (1), the compaction alarm (1), the hub's startRun and runEnded (2),
// the session index's two upserts (2) = 7. Cost runs have one reader, the POST's own stream (each further
// reader's GET /stream would be one more request).

export const FIXED_REQUESTS_PER_RUN = 7;
const INCOMING_WEBSOCKET_MESSAGES_PER_REQUEST = 20;
/** Workers Free: 100,000 Durable Object requests and 100,000 rows written a day, then operations fail. */
export const FREE_ROWS_WRITTEN_PER_DAY = 100_000;
export const FREE_REQUESTS_PER_DAY = 100_000;

/** What one run used, measured. */
export interface RunUsage {
  /** Agent lines: the deltas and the lifecycle start and end. */
  lines: number;
  rowsWritten: { session: number; hub: number; index: number };
  /** WebSocket messages the session object received (the host's frames, its pings and the exit). */
  socketMessages: number;
}

export interface CostFigure {
  runs: number;
  rowsWrittenPer1000: number;
  /** Of which the session object's own (run log, messages, run record). */
  sessionRowsPer1000: number;
  socketMessagesPer1000: number;
  requestsPer1000: number;
  /** Per run: what a day on Workers Free allows, by its rows-written and by its requests limit. */
  answersPerDayFree: number;
  rowsPerRun: number;
  requestsPerRun: number;
}

const requestsOf = (usage: RunUsage) => usage.socketMessages / INCOMING_WEBSOCKET_MESSAGES_PER_REQUEST + FIXED_REQUESTS_PER_RUN;
const rowsOf = (usage: RunUsage) => usage.rowsWritten.session + usage.rowsWritten.hub + usage.rowsWritten.index;

export function costOf(runs: readonly RunUsage[]): CostFigure {
  if (runs.length === 0) throw new Error("no runs to cost");
  let lines = 0;
  let rows = 0;
  let sessionRows = 0;
  let messages = 0;
  let requests = 0;
  for (const usage of runs) {
    lines += usage.lines;
    rows += rowsOf(usage);
    sessionRows += usage.rowsWritten.session;
    messages += usage.socketMessages;
    requests += requestsOf(usage);
  }
  const per1000 = (count: number) => (count * 1000) / lines;
  const rowsPerRun = rows / runs.length;
  const requestsPerRun = requests / runs.length;
  return {
    runs: runs.length,
    rowsWrittenPer1000: per1000(rows),
    sessionRowsPer1000: per1000(sessionRows),
    socketMessagesPer1000: per1000(messages),
    requestsPer1000: per1000(requests),
    answersPerDayFree: Math.floor(Math.min(FREE_ROWS_WRITTEN_PER_DAY / rowsPerRun, FREE_REQUESTS_PER_DAY / requestsPerRun)),
    rowsPerRun,
    requestsPerRun,
  };
}
