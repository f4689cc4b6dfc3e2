// Schema steps the Durable Objects' SQLite tables share.

/**
 * Adds a column a newer layout has to a table an object created before it (SQLite has no
 * `ADD COLUMN IF NOT EXISTS`). `table`, `column` and `type` are the code's own literals, never input.
 */
export function addColumnIfMissing(sql: SqlStorage, table: string, column: string, type: string): void {
  const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
  if (!columns.some((existing) => existing.name === column)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
