// The schema step for tables an object created under an older layout.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionObject } from "../../src/session/session-object.ts";
import { addColumnIfMissing } from "../../src/sql-schema.ts";

describe("addColumnIfMissing", () => {
  it("adds a column an older table lacks, once, keeping its rows", async () => {
    const columns = await runInDurableObject(env.SESSION.getByName("sql-schema-1"), (_: SessionObject, state) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE older (id TEXT PRIMARY KEY)");
      sql.exec("INSERT INTO older (id) VALUES ('kept')");
      addColumnIfMissing(sql, "older", "added", "TEXT");
      addColumnIfMissing(sql, "older", "added", "TEXT"); // the next start: already there
      return {
        names: sql.exec<{ name: string }>("PRAGMA table_info(older)").toArray().map((column) => column.name),
        rows: sql.exec("SELECT id, added FROM older").toArray(),
      };
    });
    expect(columns).toEqual({ names: ["id", "added"], rows: [{ id: "kept", added: null }] });
  });
});
