// A session's persisted conversation: one row per UIMessage, ordered by position. A message is inserted
// or updated on its own; the history is never rewritten, so persisting costs the same whatever its length.
import type { UIMessage } from "ai";

export class MessageStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      position INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL,
      body TEXT NOT NULL
    )`);
  }

  /** Adds a message unless one with its id exists. Returns whether it was added. */
  insertIfAbsent(message: UIMessage): boolean {
    // Asked first: an INSERT that hits the conflict still reports rows written (the index probe).
    if (this.has(message.id)) return false;
    this.sql.exec("INSERT INTO messages (id, role, body) VALUES (?, ?, ?)", message.id, message.role, JSON.stringify(message));
    return true;
  }

  /** Inserts or replaces a message in place (its position is kept). */
  upsert(message: UIMessage): void {
    this.sql.exec(
      "INSERT INTO messages (id, role, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
      message.id,
      message.role,
      JSON.stringify(message),
    );
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM messages WHERE id = ?", id).toArray().length > 0;
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM messages WHERE id = ?", id);
  }

  /** Removes every message after the one with `id` (a regenerate replaces what followed it). */
  removeAfter(id: string): void {
    this.sql.exec("DELETE FROM messages WHERE position > (SELECT position FROM messages WHERE id = ?)", id);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n;
  }

  /** Every message in order. */
  all(): UIMessage[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM messages ORDER BY position")
      .toArray()
      .map((row) => JSON.parse(row.body) as UIMessage);
  }

  /** The first user message's text, the session's title. */
  firstUserText(): string | null {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM messages WHERE role = 'user' ORDER BY position LIMIT 1")
      .toArray()[0];
    return row ? textOf(JSON.parse(row.body) as UIMessage) : null;
  }

  clear(): void {
    this.sql.exec("DELETE FROM messages");
  }
}

/** The text parts of a message, joined. */
export function textOf(message: UIMessage): string {
  return message.parts
    .filter((part): part is { type: "text"; text: string } => part.type === "text")
    .map((part) => part.text)
    .join("");
}
