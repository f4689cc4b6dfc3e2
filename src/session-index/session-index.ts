// The session index: one small object with a row per session, for `GET /api/chats`. Session objects
// update it when a run starts or ends and when a session is deleted; never per line.
import { DurableObject } from "cloudflare:workers";
import { CHATS_PAGE_ROWS } from "../../protocol/paging.ts";
import { addColumnIfMissing } from "../sql-schema.ts";

export type SessionStatus = "running" | "completed" | "error" | "aborted";

export interface SessionSummary {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  status: SessionStatus;
  /** The agent host the chat's turns go to; null before its first run. */
  hostId: string | null;
}

type SessionRow = {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  status: SessionStatus;
  host_id: string | null;
};

export class SessionIndex extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      message_count INTEGER NOT NULL,
      status TEXT NOT NULL
    )`);
    // Added with chats kept on their host: indexes created before it have the table without the column.
    addColumnIfMissing(ctx.storage.sql, "sessions", "host_id", "TEXT");
    // Pages walk (updated_at, id): ties on the time still have one order, so a cursor is exact.
    ctx.storage.sql.exec("DROP INDEX IF EXISTS sessions_by_update");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS sessions_by_update_id ON sessions (updated_at DESC, id DESC)");
  }

  async upsert(summary: Omit<SessionSummary, "createdAt">): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO sessions (id, title, created_at, updated_at, message_count, status, host_id) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at,
         message_count = excluded.message_count, status = excluded.status, host_id = excluded.host_id`,
      summary.id,
      summary.title,
      summary.updatedAt,
      summary.updatedAt,
      summary.messageCount,
      summary.status,
      summary.hostId,
    );
  }

  async remove(id: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM sessions WHERE id = ?", id);
  }

  /**
   * One page, newest activity first: the sessions after `before` (from the newest when absent), at most
   * `limit`, and the cursor of the page after it (null on the last page).
   */
  async list(before: SessionCursor | null = null, limit = CHATS_PAGE_ROWS): Promise<SessionPage> {
    const rows = this.ctx.storage.sql
      .exec<SessionRow>(
        `SELECT * FROM sessions WHERE ? OR updated_at < ? OR (updated_at = ? AND id < ?)
         ORDER BY updated_at DESC, id DESC LIMIT ?`,
        before === null ? 1 : 0,
        before?.updatedAt ?? 0,
        before?.updatedAt ?? 0,
        before?.id ?? "",
        limit + 1,
      )
      .toArray();
    const sessions = rows.slice(0, limit).map((row) => ({
      id: row.id,
      title: row.title,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      messageCount: row.message_count,
      status: row.status,
      hostId: row.host_id,
    }));
    const last = sessions.at(-1);
    return { sessions, older: rows.length > limit && last ? formatSessionCursor({ updatedAt: last.updatedAt, id: last.id }) : null };
  }
}

/** Where a page of the index ends: the last session's activity time and id. */
export interface SessionCursor {
  updatedAt: number;
  id: string;
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** The cursor for the next (older) page; null when this is the last. */
  older: string | null;
}

/** `<updatedAt>.<id>`: session ids never contain a dot. */
export function formatSessionCursor(cursor: SessionCursor): string {
  return `${cursor.updatedAt}.${cursor.id}`;
}

export function parseSessionCursor(text: string): SessionCursor | null {
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,128})$/.exec(text);
  return match ? { updatedAt: Number(match[1]), id: match[2]! } : null;
}
