// The session's runs: one row per run, written when it starts and when it ends (never per line).
// Progress within a run (line and event seqs) lives in the run log's rows, not here.
import { addColumnIfMissing } from "../sql-schema.ts";

export type RunStatus = "running" | "completed" | "error" | "aborted";

export interface RunRecord {
  id: string;
  status: RunStatus;
  userMessageId: string;
  assistantMessageId: string;
  startedAt: number;
  endedAt: number | null;
  /** The user pressed Stop; the end is reported as a stop, not as a failure. */
  abortRequested: boolean;
  /** The last agent item stored, once the run ended (what a host reconnecting late is acknowledged). */
  lastLineSeq: number | null;
  /** The host the hub gave the run to; only it may send the run's lines. */
  hostId: string | null;
  /** The secret the hub sent that host in the start frame; its run socket must present it. */
  runSecret: string | null;
  /** Event seqs count on across a session's runs: this run's events are numbered from eventBase + 1. */
  eventBase: number;
  /** The run's last event seq, once it ended. */
  lastEventSeq: number | null;
}

type RunRow = {
  id: string;
  status: RunStatus;
  user_message_id: string;
  assistant_message_id: string;
  started_at: number;
  ended_at: number | null;
  abort_requested: number;
  last_line_seq: number | null;
  host_id: string | null;
  run_secret: string | null;
  event_base: number;
  last_event_seq: number | null;
};

export class RunStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      user_message_id TEXT NOT NULL,
      assistant_message_id TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      abort_requested INTEGER NOT NULL DEFAULT 0,
      last_line_seq INTEGER,
      host_id TEXT,
      event_base INTEGER NOT NULL DEFAULT 0,
      last_event_seq INTEGER
    )`);
    // Added with host protocol 2: objects created before it have the table without the column.
    addColumnIfMissing(sql, "runs", "run_secret", "TEXT");
  }

  /** Records a new run; the one it replaces stays until `keepOnly` (a refused start leaves it be). */
  create(run: Omit<RunRecord, "status" | "endedAt" | "abortRequested" | "lastLineSeq" | "hostId" | "runSecret" | "lastEventSeq">): RunRecord {
    this.sql.exec(
      "INSERT INTO runs (id, status, user_message_id, assistant_message_id, started_at, event_base) VALUES (?, 'running', ?, ?, ?, ?)",
      run.id,
      run.userMessageId,
      run.assistantMessageId,
      run.startedAt,
      run.eventBase,
    );
    return { ...run, status: "running", endedAt: null, abortRequested: false, lastLineSeq: null, hostId: null, runSecret: null, lastEventSeq: null };
  }

  /** The most recent run, the one replays and aborts refer to. */
  latest(): RunRecord | null {
    const row = this.sql.exec<RunRow>("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").toArray()[0];
    return row ? fromRow(row) : null;
  }

  assignHost(id: string, hostId: string, runSecret: string): void {
    this.sql.exec("UPDATE runs SET host_id = ?, run_secret = ? WHERE id = ?", hostId, runSecret, id);
  }

  markAbortRequested(id: string): void {
    this.sql.exec("UPDATE runs SET abort_requested = 1 WHERE id = ?", id);
  }

  finish(id: string, status: Exclude<RunStatus, "running">, endedAt: number, last: { lineSeq: number; eventSeq: number }): void {
    this.sql.exec(
      "UPDATE runs SET status = ?, ended_at = ?, last_line_seq = ?, last_event_seq = ? WHERE id = ?",
      status,
      endedAt,
      last.lineSeq,
      last.eventSeq,
      id,
    );
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM runs WHERE id = ?", id);
  }

  /** Only the latest run is kept: older runs live on in the messages they produced. */
  keepOnly(id: string): void {
    this.sql.exec("DELETE FROM runs WHERE id != ?", id);
  }

  clear(): void {
    this.sql.exec("DELETE FROM runs");
  }
}

function fromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    status: row.status,
    userMessageId: row.user_message_id,
    assistantMessageId: row.assistant_message_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    abortRequested: row.abort_requested === 1,
    lastLineSeq: row.last_line_seq,
    hostId: row.host_id,
    runSecret: row.run_secret,
    eventBase: row.event_base,
    lastEventSeq: row.last_event_seq,
  };
}
