// The session index: one small object with a row per session, for `GET /api/chats`. Session objects
// update it when a run starts or ends and when a session is deleted; never per line.
import { DurableObject } from "cloudflare:workers";

export type SessionStatus = "running" | "completed" | "error" | "aborted";

export interface SessionSummary {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  status: SessionStatus;
}

type SessionRow = {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  status: SessionStatus;
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
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS sessions_by_update ON sessions (updated_at DESC)");
  }

  async upsert(summary: Omit<SessionSummary, "createdAt">): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO sessions (id, title, created_at, updated_at, message_count, status) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at,
         message_count = excluded.message_count, status = excluded.status`,
      summary.id,
      summary.title,
      summary.updatedAt,
      summary.updatedAt,
      summary.messageCount,
      summary.status,
    );
  }

  async remove(id: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM sessions WHERE id = ?", id);
  }

  /** Newest first. */
  async list(limit = 200): Promise<SessionSummary[]> {
    return this.ctx.storage.sql
      .exec<SessionRow>("SELECT * FROM sessions ORDER BY updated_at DESC LIMIT ?", limit)
      .toArray()
      .map((row) => ({
        id: row.id,
        title: row.title,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        messageCount: row.message_count,
        status: row.status,
      }));
  }
}
