// A session's persisted conversation: one row per UIMessage, ordered by position. A message is inserted
// or updated on its own; the history is never rewritten, so persisting costs the same whatever its length.
//
// Durable Object SQLite refuses a string or row over 2 MB (local workerd does not enforce it), and one
// answer with many large tool outputs can pass that. So a message's JSON is cut into pieces: the first in
// its `messages` row, any further ones in `message_overflow`. Nearly every message is a single piece.
import type { UIMessage } from "ai";

/** Characters per piece: at most 3 UTF-8 bytes each (JSON.stringify escapes lone surrogates), so < 2 MB. */
export const MESSAGE_PIECE_CHARS = 600_000;

type MessageRow = { id: string; body: string; pieces: number };

/** Message ids (oldest first) of one history page, and whether older messages remain. */
export interface HistoryPage {
  ids: string[];
  older: boolean;
}

/** Rows whose sizes one step of a history page looks at. */
const PAGE_ROWS_SCANNED = 256;

export class MessageStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      position INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL,
      body TEXT NOT NULL,
      pieces INTEGER NOT NULL DEFAULT 1
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS message_overflow (
      message_id TEXT NOT NULL,
      idx INTEGER NOT NULL,
      piece TEXT NOT NULL,
      PRIMARY KEY (message_id, idx)
    ) WITHOUT ROWID`);
  }

  /** Adds a message unless one with its id exists. Returns whether it was added. */
  insertIfAbsent(message: UIMessage): boolean {
    if (this.has(message.id)) return false;
    this.upsert(message);
    return true;
  }

  /** Inserts or replaces a message in place (its position is kept). */
  upsert(message: UIMessage): void {
    const pieces = splitIntoPieces(JSON.stringify(message));
    this.sql.exec(
      `INSERT INTO messages (id, role, body, pieces) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, pieces = excluded.pieces`,
      message.id,
      message.role,
      pieces[0]!,
      pieces.length,
    );
    this.sql.exec("DELETE FROM message_overflow WHERE message_id = ? AND idx >= ?", message.id, pieces.length);
    for (let idx = 1; idx < pieces.length; idx++) {
      this.sql.exec("INSERT OR REPLACE INTO message_overflow (message_id, idx, piece) VALUES (?, ?, ?)", message.id, idx, pieces[idx]!);
    }
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM messages WHERE id = ?", id).toArray().length > 0;
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM message_overflow WHERE message_id = ?", id);
    this.sql.exec("DELETE FROM messages WHERE id = ?", id);
  }

  /**
   * Removes the answers after the message with `id` (a regenerate replaces them). The relay's own notes
   * (role system, e.g. that the chat moved to another host) stay where they are: they record what
   * happened to the chat, which a new answer does not undo, and the new answer comes after them.
   */
  removeAnswersAfter(id: string): void {
    const after = "SELECT id FROM messages WHERE role != 'system' AND position > (SELECT position FROM messages WHERE id = ?)";
    this.sql.exec(`DELETE FROM message_overflow WHERE message_id IN (${after})`, id);
    this.sql.exec(`DELETE FROM messages WHERE id IN (${after})`, id);
  }

  /** UTF-8 bytes of every stored message (octet_length reads the row headers, not the bodies). */
  storedBytes(): number {
    const messages = this.sql.exec<{ n: number }>("SELECT COALESCE(SUM(octet_length(body)), 0) AS n FROM messages").one().n;
    const overflow = this.sql.exec<{ n: number }>("SELECT COALESCE(SUM(octet_length(piece)), 0) AS n FROM message_overflow").one().n;
    return messages + overflow;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n;
  }

  /**
   * One history page: the newest messages before the one with id `before` (from the newest when null)
   * whose JSON fits in `budgetBytes` (at least one, however large), at most `limit` of them, oldest first;
   * `older` says whether messages before the page remain. Only sizes are read here (SQLite knows a text's
   * byte length without loading it); `newest`, when given, is a message held in memory that stands as the
   * newest one (replacing its stored version, if any). Null when `before` names no stored message.
   */
  page(before: string | null, budgetBytes: number, limit: number, newest?: { id: string; bytes: number }): HistoryPage | null {
    let position = Number.MAX_SAFE_INTEGER;
    if (before !== null) {
      const row = this.sql.exec<{ position: number }>("SELECT position FROM messages WHERE id = ?", before).toArray()[0];
      if (!row) return null;
      position = row.position;
    }
    const ids: string[] = [];
    let bytes = 0;
    if (before === null && newest && !this.has(newest.id)) {
      ids.push(newest.id);
      bytes += newest.bytes;
    }
    for (;;) {
      const rows = this.sql
        .exec<{ id: string; position: number; bytes: number }>(
          `SELECT id, position, octet_length(body) + COALESCE((SELECT SUM(octet_length(piece)) FROM message_overflow
             WHERE message_id = messages.id), 0) AS bytes
           FROM messages WHERE position < ? ORDER BY position DESC LIMIT ?`,
          position,
          PAGE_ROWS_SCANNED,
        )
        .toArray();
      for (const row of rows) {
        const size = row.id === newest?.id ? newest.bytes : row.bytes;
        if (ids.length > 0 && (ids.length >= limit || bytes + size > budgetBytes)) return { ids: ids.reverse(), older: true };
        ids.push(row.id);
        bytes += size;
        position = row.position;
      }
      if (rows.length < PAGE_ROWS_SCANNED) return { ids: ids.reverse(), older: false };
    }
  }

  /** A message's stored JSON, read whole (null when it is gone). */
  jsonOf(id: string): string | null {
    const row = this.sql.exec<MessageRow>("SELECT id, body, pieces FROM messages WHERE id = ?", id).toArray()[0];
    return row ? this.text(row) : null;
  }

  /** The first user message's text, the session's title. */
  firstUserText(): string | null {
    const row = this.sql
      .exec<MessageRow>("SELECT id, body, pieces FROM messages WHERE role = 'user' ORDER BY position LIMIT 1")
      .toArray()[0];
    return row ? textOf(this.parse(row)) : null;
  }

  clear(): void {
    this.sql.exec("DELETE FROM message_overflow");
    this.sql.exec("DELETE FROM messages");
  }

  private parse(row: MessageRow): UIMessage {
    return JSON.parse(this.text(row)) as UIMessage;
  }

  private text(row: MessageRow): string {
    if (row.pieces === 1) return row.body;
    const rest = this.sql
      .exec<{ piece: string }>("SELECT piece FROM message_overflow WHERE message_id = ? ORDER BY idx", row.id)
      .toArray()
      .map((overflow) => overflow.piece);
    return row.body + rest.join("");
  }
}

/** Cuts text into pieces of at most MESSAGE_PIECE_CHARS, never between the two halves of a surrogate pair
 * (a lone half would not survive the trip through SQLite's UTF-8). */
export function splitIntoPieces(text: string): string[] {
  const pieces: string[] = [];
  let at = 0;
  do {
    let end = Math.min(at + MESSAGE_PIECE_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(at, end));
    at = end;
  } while (at < text.length);
  return pieces;
}

/** The text parts of a message, joined. */
export function textOf(message: UIMessage): string {
  return message.parts
    .filter((part): part is { type: "text"; text: string } => part.type === "text")
    .map((part) => part.text)
    .join("");
}
