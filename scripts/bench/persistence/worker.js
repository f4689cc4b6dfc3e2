// Bench-only Worker (see wrangler.toml here): SQLite Durable Objects holding a session's messages in the
// relay's own MessageStore, one per history size, each seeded with N prior messages, so the bench can
// time persisting a run's message as the history grows. The bench times a batch of writes from outside,
// because time inside a Worker stands still between I/O. (Plain JS: the project's Node-side typecheck,
// which covers scripts/, has no Workers runtime types; message-store.ts is typechecked with the Worker.)
import { DurableObject } from "cloudflare:workers";
import { MessageStore } from "../../../src/session/message-store.ts";

export class HistoryObject extends DurableObject {
  #messages = new MessageStore(this.ctx.storage.sql);

  /** Replaces the history by `count` messages, alternating the two given, each with its own id. */
  seed(count, user, assistant) {
    this.#messages.clear();
    for (let i = 0; i < count; i++) {
      const template = i % 2 === 0 ? user : assistant;
      this.#messages.insertIfAbsent({ ...template, id: `${template.role}-${i}` });
    }
    return this.#messages.count();
  }

  /**
   * What a session object does each time it writes a running answer (every 2 s, and at its end),
   * `times` times, each write committed on its own (awaiting `sync()` ends the implicit transaction).
   */
  async persist(message, times) {
    for (let i = 0; i < times; i++) {
      this.#messages.upsert(message);
      await this.ctx.storage.sync();
    }
  }

  /** The same calls without the write: what the bench subtracts. */
  async nothing(message, times) {
    for (let i = 0; i < times; i++) await this.ctx.storage.sync();
    return message.id;
  }
}

// One object per history size (`history` in each request's body), so the bench can alternate between them.
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== "POST") return new Response("POST only", { status: 405 });
    const body = await request.json();
    const history = env.HISTORY.getByName(String(body.history));
    if (pathname === "/seed") return Response.json({ messages: await history.seed(body.count, body.user, body.assistant) });
    if (pathname === "/persist") await history.persist(body.message, body.times);
    else if (pathname === "/nothing") await history.nothing(body.message, body.times);
    else return new Response("not found", { status: 404 });
    return new Response(null, { status: 204 });
  },
};
