// The ordered event log of a session's current run, in the object's SQLite.
//
// One row per accepted frame (never one per chunk): it holds the chunks the frame produced (their JSON,
// joined by "\n": JSON.stringify never emits a raw newline), the event seq range they occupy, the last
// agent line seq the frame carried (the dedup point for the host's resends) and the translator's
// snapshot after the frame (so an evicted object resumes translating where it stopped).
// A frame that produced no chunk still gets a row: its line seq must be remembered.

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
   * Stores one frame's chunks as a single row. `firstSeq` is the seq of chunks[0]; when `chunks` is
   * empty the row only moves the line position on.
   */
  append(runId: string, lineSeq: number, firstSeq: number, chunks: string[], state: string | null): void {
    this.sql.exec(
      "INSERT INTO events (run_id, line_seq, first_seq, last_seq, state, body) VALUES (?, ?, ?, ?, ?, ?)",
      runId,
      lineSeq,
      firstSeq,
      firstSeq + chunks.length - 1,
      state,
      chunks.join("\n"),
    );
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
   * Reads events with seq > `afterSeq`, a page of rows at a time, so a replay never holds the whole run.
   * The cursor walks the rowid: each page costs what it returns, whatever the run's length.
   */
  *pages(runId: string, afterSeq: number, rowsPerPage = 64): Generator<StoredEvent[]> {
    let afterRow = 0;
    for (;;) {
      const rows = this.sql
        .exec<{ row: number; first_seq: number; last_seq: number; body: string }>(
          `SELECT rowid AS row, first_seq, last_seq, body FROM events
           WHERE rowid > ? AND run_id = ? AND last_seq > ? AND last_seq >= first_seq
           ORDER BY rowid LIMIT ?`,
          afterRow,
          runId,
          afterSeq,
          rowsPerPage,
        )
        .toArray();
      if (rows.length === 0) return;
      const page: StoredEvent[] = [];
      for (const row of rows) {
        const jsons = row.body.split("\n");
        for (let i = Math.max(0, afterSeq + 1 - row.first_seq); i < jsons.length; i++) {
          page.push({ seq: row.first_seq + i, json: jsons[i]! });
        }
      }
      yield page;
      afterRow = rows[rows.length - 1]!.row;
      if (rows.length < rowsPerPage) return;
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
