// Counts the rows each session's run log holds, straight from the SQLite files local workerd keeps for
// the session Durable Objects under `wrangler dev --persist-to <dir>`: one row per frame stored (plus
// the run's first and last), which is what the host's batching buys. Read before the run's events are
// compacted (RUN_GRACE_MS after it ended).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Session id -> rows in its `events` table. */
export function runLogRowsBySession(persistTo: string): Map<string, number> {
  const dir = join(persistTo, "v3/do/agent-relay-SessionObject");
  const rows = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const owner = db.prepare("SELECT value FROM meta WHERE key = 'sessionId'").get() as { value: string } | undefined;
      if (owner) rows.set(owner.value, (db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n);
    } finally {
      db.close();
    }
  }
  return rows;
}
