// The ordered event log of a session's current run, in the object's SQLite: one table per run.
//
// A frame's chunks are stored in rows of bounded bytes (MAX_EVENT_ROW_BYTES; most frames fit in one row,
// never one row per chunk): each holds chunks' JSON joined by "\n" (JSON.stringify never emits a raw
// newline), the event seq range they occupy, and the last agent line seq they carry (the dedup point for
// the host's resends). The last row of a write also holds the translator's snapshot after it (so an
// evicted object resumes translating where it stopped). The caller writes a batch's rows in one
// transaction, so they are stored together or not at all.
// A write that produced no chunk still gets a row: its line seq must be remembered.
//
// Why a table per run: Cloudflare bills every row a statement deletes as a row written, while dropping
// a table counts none (measured with each cursor's rowsWritten in workerd: DELETE of 100 rows = 100,
// DROP TABLE of 100 rows = 0, CREATE TABLE = 2). So compaction costs nothing instead of a second write
// of every row.
import { MAX_EVENT_ROW_BYTES, REPLAY_PAGE_BYTES, SSE_EVENT_OVERHEAD_BYTES, utf8Bytes } from "./byte-limits.ts";

export interface LogPosition {
  /** The last agent item (line or exit) stored; the host resends everything above it. */
  lineSeq: number;
  /** The last event (chunk) stored; SSE ids count these. */
  eventSeq: number;
}

export interface LogTail extends LogPosition {
  /** The translator snapshot stored with the last frame, if any. */
  state: string | null;
}

export interface StoredEvent {
  seq: number;
  json: string;
}

/** Rows whose sizes one page query looks at: enough to fill a page with the smallest rows a frame makes. */
const ROWS_SCANNED_PER_PAGE = 2048;

const TABLE_PREFIX = "run_events_";

/** The table that holds a run's events. Run ids are [A-Za-z0-9_-] (ID_PATTERN); "_" and "-" are spelled
 * "_0" and "_1", so two ids never share a table. */
export function runLogTable(runId: string): string {
  return TABLE_PREFIX + runId.replace(/[_-]/g, (char) => (char === "_" ? "_0" : "_1"));
}

export class RunLog {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /**
   * Moves the events of the single `events` table the relay used before (all runs in one table, rows
   * deleted at compaction) into per-run tables. Run once, inside the constructor's transaction.
   */
  migrateSharedTable(): void {
    if (!this.exists("events")) return;
    const runs = this.sql.exec<{ run_id: string }>("SELECT DISTINCT run_id FROM events").toArray();
    for (const { run_id: runId } of runs) {
      this.sql.exec(
        `INSERT INTO ${this.createRun(runId)} (line_seq, first_seq, last_seq, state, body)
         SELECT line_seq, first_seq, last_seq, state, body FROM events WHERE run_id = ? ORDER BY rowid`,
        runId,
      );
    }
    this.sql.exec("DROP TABLE events");
  }

  /**
   * The run's table: its schema is set up once, when the run starts, before its first append (a no-op
   * statement if it is there, no row written). Returns the table's name.
   */
  createRun(runId: string): string {
    const table = runLogTable(runId);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      line_seq INTEGER NOT NULL,
      first_seq INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      state TEXT,
      body TEXT NOT NULL
    )`);
    return table;
  }

  /**
   * Stores one frame's chunks in as few rows as MAX_EVENT_ROW_BYTES allows, in the table createRun set
   * up. `firstSeq` is the seq of chunks[0]; when `chunks` is empty the row only moves the line position on.
   */
  append(runId: string, lineSeq: number, firstSeq: number, chunks: string[], state: string | null): void {
    const table = runLogTable(runId);
    const rows = splitIntoRows(chunks);
    rows.forEach(([from, to], index) => {
      this.sql.exec(
        `INSERT INTO ${table} (line_seq, first_seq, last_seq, state, body) VALUES (?, ?, ?, ?, ?)`,
        lineSeq,
        firstSeq + from,
        firstSeq + to - 1,
        index === rows.length - 1 ? state : null,
        chunks.slice(from, to).join("\n"),
      );
    });
  }

  /** Where the run's log stands (zeros for a run with no rows). */
  tail(runId: string): LogTail {
    const table = runLogTable(runId);
    const row = this.exists(table)
      ? this.sql.exec<{ line_seq: number; last_seq: number; state: string | null }>(`SELECT line_seq, last_seq, state FROM ${table} ORDER BY rowid DESC LIMIT 1`).toArray()[0]
      : undefined;
    return row ? { lineSeq: row.line_seq, eventSeq: row.last_seq, state: row.state } : { lineSeq: 0, eventSeq: 0, state: null };
  }

  /**
   * Reads events with seq > `afterSeq` a page at a time, so a replay never holds the whole run: a page's
   * SSE bytes stay within `pageBytes` (or it is one row that alone is larger). Sizes are read first (SQLite
   * knows a text's byte length without loading it), then only the bodies that fit. The cursor walks the
   * rowid: each page costs what it returns, whatever the run's length.
   */
  *pages(runId: string, afterSeq: number, pageBytes = REPLAY_PAGE_BYTES): Generator<StoredEvent[]> {
    const table = runLogTable(runId);
    if (!this.exists(table)) return;
    let afterRow = 0;
    for (;;) {
      const sizes = this.sql
        .exec<{ row: number; bytes: number }>(
          `SELECT rowid AS row, octet_length(body) + (last_seq - first_seq + 1) * ? AS bytes FROM ${table}
           WHERE rowid > ? AND last_seq > ? AND last_seq >= first_seq
           ORDER BY rowid LIMIT ?`,
          SSE_EVENT_OVERHEAD_BYTES,
          afterRow,
          afterSeq,
          ROWS_SCANNED_PER_PAGE,
        )
        .toArray();
      if (sizes.length === 0) return;
      let take = 0;
      let bytes = 0;
      while (take < sizes.length && (take === 0 || bytes + sizes[take]!.bytes <= pageBytes)) bytes += sizes[take++]!.bytes;
      const lastRow = sizes[take - 1]!.row;
      const rows = this.sql
        .exec<{ first_seq: number; body: string }>(
          `SELECT first_seq, body FROM ${table}
           WHERE rowid > ? AND rowid <= ? AND last_seq > ? AND last_seq >= first_seq ORDER BY rowid`,
          afterRow,
          lastRow,
          afterSeq,
        )
        .toArray();
      const page: StoredEvent[] = [];
      for (const row of rows) {
        const jsons = row.body.split("\n");
        for (let i = Math.max(0, afterSeq + 1 - row.first_seq); i < jsons.length; i++) {
          page.push({ seq: row.first_seq + i, json: jsons[i]! });
        }
      }
      yield page;
      afterRow = lastRow;
    }
  }

  /** Drops a run's events (after its grace period, or when a new run replaces it): no row written. */
  compact(runId: string): void {
    this.sql.exec(`DROP TABLE IF EXISTS ${runLogTable(runId)}`);
  }

  /** Drops every run's events but `keepRunId`'s. */
  compactAllBut(keepRunId: string | null): void {
    const keep = keepRunId === null ? null : runLogTable(keepRunId);
    const tables = this.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?", TABLE_PREFIX.length, TABLE_PREFIX)
      .toArray();
    for (const { name } of tables) if (name !== keep) this.sql.exec(`DROP TABLE ${name}`);
  }

  private exists(table: string): boolean {
    return this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0;
  }
}

/** [from, to) chunk ranges, each within MAX_EVENT_ROW_BYTES unless one chunk alone is larger; at least one
 * range (empty for a frame without chunks). */
export function splitIntoRows(chunks: string[]): [number, number][] {
  const rows: [number, number][] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < chunks.length; i++) {
    const size = utf8Bytes(chunks[i]!) + 1; // the "\n" that joins it
    if (i > from && bytes + size > MAX_EVENT_ROW_BYTES) {
      rows.push([from, i]);
      from = i;
      bytes = 0;
    }
    bytes += size;
  }
  rows.push([from, chunks.length]);
  return rows;
}
