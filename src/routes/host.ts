// The agent hosts' side: the control socket (to the hub) and one run socket per run (straight to the
// session's object, so agent lines never pass through a shared object).
import { Hono, type MiddlewareHandler } from "hono";
import { ID_PATTERN } from "../../protocol/limits.ts";
import { jsonError } from "../http-errors.ts";

export const hostRoutes = new Hono<{ Bindings: Env }>();

const webSocketUpgrade: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return jsonError(426, "expected a WebSocket upgrade");
  await next();
};

hostRoutes.get("/connect", webSocketUpgrade, (c) => c.env.HUB.getByName("global").fetch(c.req.raw));

hostRoutes.get("/sessions/:sessionId/runs/:runId", webSocketUpgrade, (c) => {
  const { sessionId, runId } = c.req.param();
  const hostId = c.req.query("host") ?? "";
  if (![sessionId, runId, hostId].every((id) => ID_PATTERN.test(id))) return jsonError(400, "invalid session, run or host id");
  return c.env.SESSION.getByName(sessionId).fetch(new Request(`https://session/host-run/${runId}?host=${hostId}`, c.req.raw));
});

hostRoutes.all("*", () => jsonError(404, "no such API route"));
