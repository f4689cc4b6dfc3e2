// The ordered event log of a session's current run, in the object's SQLite.
//
// A frame's chunks are stored in rows of bounded bytes (MAX_EVENT_ROW_BYTES; most frames fit in one row,
// never one row per chunk): each holds chunks' JSON joined by "\n" (JSON.stringify never emits a raw
// newline), the event seq range they occupy, and the last agent line seq the frame carried (the dedup
// point for the host's resends). The frame's last row also holds the translator's snapshot after the
// frame (so an evicted object resumes translating where it stopped). A frame's rows are written in one
// synchronous step, so they are stored together or not at all.
// A frame that produced no chunk still gets a row: its line seq must be remembered.
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

export class RunLog {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    // Rows are appended in order, so the rowid is the order; it is also the replay cursor.
    sql.exec(`CREATE TABLE IF NOT EXISTS events (
      run_id TEXT NOT NULL,
      line_seq INTEGER NOT NULL,
      first_seq INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      state TEXT,
      body TEXT NOT NULL
    )`);
  }

  /**
   * Stores one frame's chunks in as few rows as MAX_EVENT_ROW_BYTES allows. `firstSeq` is the seq of
   * chunks[0]; when `chunks` is empty the row only moves the line position on.
   */
  append(runId: string, lineSeq: number, firstSeq: number, chunks: string[], state: string | null): void {
    const rows = splitIntoRows(chunks);
    rows.forEach(([from, to], index) => {
      this.sql.exec(
        "INSERT INTO events (run_id, line_seq, first_seq, last_seq, state, body) VALUES (?, ?, ?, ?, ?, ?)",
        runId,
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
    const row = this.sql
      .exec<{ line_seq: number; last_seq: number; state: string | null }>(
        "SELECT line_seq, last_seq, state FROM events WHERE run_id = ? ORDER BY rowid DESC LIMIT 1",
        runId,
      )
      .toArray()[0];
    return row ? { lineSeq: row.line_seq, eventSeq: row.last_seq, state: row.state } : { lineSeq: 0, eventSeq: 0, state: null };
  }

  /**
   * Reads events with seq > `afterSeq` a page at a time, so a replay never holds the whole run: a page's
   * SSE bytes stay within `pageBytes` (or it is one row that alone is larger). Sizes are read first (SQLite
   * knows a text's byte length without loading it), then only the bodies that fit. The cursor walks the
   * rowid: each page costs what it returns, whatever the run's length.
   */
  *pages(runId: string, afterSeq: number, pageBytes = REPLAY_PAGE_BYTES): Generator<StoredEvent[]> {
    let afterRow = 0;
    for (;;) {
      const sizes = this.sql
        .exec<{ row: number; bytes: number }>(
          `SELECT rowid AS row, octet_length(body) + (last_seq - first_seq + 1) * ? AS bytes FROM events
           WHERE rowid > ? AND run_id = ? AND last_seq > ? AND last_seq >= first_seq
           ORDER BY rowid LIMIT ?`,
          SSE_EVENT_OVERHEAD_BYTES,
          afterRow,
          runId,
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
          `SELECT first_seq, body FROM events
           WHERE rowid > ? AND rowid <= ? AND run_id = ? AND last_seq > ? AND last_seq >= first_seq ORDER BY rowid`,
          afterRow,
          lastRow,
          runId,
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

  /** Drops a run's events (after its grace period, or when a new run replaces it). */
  compact(runId: string): void {
    this.sql.exec("DELETE FROM events WHERE run_id = ?", runId);
  }

  /** Drops every run's events but `keepRunId`'s. */
  compactAllBut(keepRunId: string | null): void {
    this.sql.exec("DELETE FROM events WHERE run_id IS NOT ?", keepRunId);
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
