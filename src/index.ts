// The Worker: the public edge. Routes each chat session to its own Durable Object, serves the page
// (static assets; the Worker only runs for /api/*), and authenticates browsers and agent hosts.
import { Hono } from "hono";
import { requireToken } from "./auth.ts";
import { jsonError } from "./http-errors.ts";
import { chatRoutes } from "./routes/chat.ts";
import { hostRoutes } from "./routes/host.ts";
import { apiSecurityHeaders } from "./security-headers.ts";

export { SessionObject } from "./session/session-object.ts";
export { HostHub } from "./hub/host-hub.ts";
export { SessionIndex } from "./session-index/session-index.ts";

const app = new Hono<{ Bindings: Env }>();

app.use("/api/host/*", requireToken("HOST_TOKEN"));
app.route("/api/host", hostRoutes);

// Everything after the host routes answers browsers (the host's WebSocket upgrades never get here).
app.use("/api/*", apiSecurityHeaders);
app.get("/api/health", async (c) => c.json({ ok: true, hostsConnected: await c.env.HUB.getByName("global").hostsConnected() }));

app.use("/api/*", requireToken("RELAY_TOKEN"));
app.route("/api", chatRoutes);

app.all("/api/*", () => jsonError(404, "no such API route"));
app.onError((error) => {
  console.error("unhandled error", error);
  return jsonError(500, "internal error");
});

export default app;
