// The relay's Worker with a usage meter, for the cost benchmark only (`wrangler dev <this file>`, same
// wrangler.jsonc). It counts what Cloudflare bills a Durable Object for, as the runtime reports it:
// - rows written: every SQL statement's `rowsWritten` (the cursor's own count: inserted, updated and
//   deleted rows, index entries, schema rows), summed per object class;
// - WebSocket messages received by the session objects (the run sockets they accept; 1/20 of a request
//   each).
// `GET /api/__bench/usage` returns the totals so far. Everything runs in one isolate under wrangler dev, so
// module state is shared by the Worker and its objects; the bench runs one session at a time and reads
// the difference.
import app, { HostHub as RelayHostHub, SessionIndex as RelaySessionIndex, SessionObject as RelaySessionObject } from "../../../src/index.ts";

type ObjectKind = "session" | "hub" | "index";
const usage = {
  rowsWritten: { session: 0, hub: 0, index: 0 } as Record<ObjectKind, number>,
  /** Rows written per statement (its text, numbers and table names folded), to show where they go. */
  byStatement: {} as Record<string, number>,
  sessionSocketMessages: 0,
};
const kinds = new WeakMap<SqlStorage, ObjectKind>();
let metered = false;

function meter(ctx: DurableObjectState, kind: ObjectKind): void {
  const sql = ctx.storage.sql;
  kinds.set(sql, kind);
  if (metered) return;
  metered = true;
  const prototype = Object.getPrototypeOf(sql) as SqlStorage;
  const exec = prototype.exec;
  prototype.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
    const cursor = exec.call(this, query, ...bindings);
    const kind = kinds.get(this);
    // Miniflare's own bookkeeping of an object's name exists only under wrangler dev, never deployed.
    if (kind && cursor.rowsWritten > 0 && !query.includes("__miniflare_")) {
      usage.rowsWritten[kind] += cursor.rowsWritten;
      const statement = `${kind}: ${query.replace(/\s+/g, " ").replace(/run_events_\w+/g, "run_events_<run>").slice(0, 90)}`;
      usage.byStatement[statement] = (usage.byStatement[statement] ?? 0) + cursor.rowsWritten;
    }
    return cursor;
  } as SqlStorage["exec"];
}

// A session object accepts exactly its run sockets (the Worker hands upgrades through; the hub uses the
// hibernation API, acceptWebSocket): count what arrives on them.
const accept = WebSocket.prototype.accept;
WebSocket.prototype.accept = function (this: WebSocket, ...args: Parameters<WebSocket["accept"]>) {
  accept.apply(this, args);
  this.addEventListener("message", () => {
    usage.sessionSocketMessages += 1;
  });
};

export class SessionObject extends RelaySessionObject {
  constructor(ctx: DurableObjectState, env: Env) {
    meter(ctx, "session");
    super(ctx, env);
  }
}

export class HostHub extends RelayHostHub {
  constructor(ctx: DurableObjectState, env: Env) {
    meter(ctx, "hub");
    super(ctx, env);
  }
}

export class SessionIndex extends RelaySessionIndex {
  constructor(ctx: DurableObjectState, env: Env) {
    meter(ctx, "index");
    super(ctx, env);
  }
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (new URL(request.url).pathname === "/api/__bench/usage") return Response.json(usage);
    return app.fetch(request, env, ctx);
  },
};
