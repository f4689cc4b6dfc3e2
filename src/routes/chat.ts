// The browser's chat API: send, resume, abort, history (paged), delete, move to another host, the session
// index (paged) and the connected hosts. Each session is its own object.
import { Hono, type MiddlewareHandler } from "hono";
import { MAX_REQUEST_BYTES } from "../../protocol/limits.ts";
import { approvalAnswerSchema, approvalIdSchema, moveChatSchema, parseChatRequest, sessionIdSchema } from "../chat-request.ts";
import { jsonError } from "../http-errors.ts";
import { CHATS_PAGE_ROWS, MAX_HISTORY_PAGE_MESSAGES, OLDER_CHATS_HEADER } from "../../protocol/paging.ts";
import { parseSessionCursor } from "../session-index/session-index.ts";
import { limitBody, readJson } from "../request-body.ts";

export const chatRoutes = new Hono<{ Bindings: Env }>();

/** POST /api/chat/:id/host carries one host id. */
const MOVE_BODY_BYTES = 1024;
/** POST /api/chat/:id/approvals/:approvalId carries a decision and a reason of at most MAX_APPROVAL_REASON_CHARS. */
const APPROVAL_BODY_BYTES = 8 * 1024;

chatRoutes.post("/chat", limitBody(MAX_REQUEST_BYTES), async (c) => {
  const body = await readJson(c);
  if (!body.ok) return body.response;
  const parsed = parseChatRequest(body.json);
  if (!parsed.ok) return jsonError(400, parsed.error);
  return c.env.SESSION.getByName(parsed.request.sessionId).startChat(parsed.request);
});

// Every route below addresses one session by the id in its path.
const validSessionId: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (!sessionIdSchema.safeParse(c.req.param("id")).success) {
    return jsonError(400, "invalid session id: must match [A-Za-z0-9_-]{1,128}");
  }
  await next();
};
chatRoutes.use("/chat/:id", validSessionId);
chatRoutes.use("/chat/:id/*", validSessionId);

chatRoutes.get("/chat/:id/stream", async (c) => {
  const lastEventId = c.req.header("last-event-id");
  let after = 0;
  if (lastEventId !== undefined && lastEventId !== "") {
    if (!/^\d{1,15}$/.test(lastEventId)) return jsonError(400, "invalid Last-Event-ID: must be a sequence number");
    after = Number(lastEventId);
  }
  return c.env.SESSION.getByName(c.req.param("id")).resume(after);
});

chatRoutes.post("/chat/:id/abort", async (c) => c.json(await c.env.SESSION.getByName(c.req.param("id")).abort()));

// Moving a chat to another host is its own request: the agent there starts without the chat's memory.
chatRoutes.post("/chat/:id/host", limitBody(MOVE_BODY_BYTES), async (c) => {
  const body = await readJson(c);
  if (!body.ok) return body.response;
  const parsed = moveChatSchema.safeParse(body.json);
  if (!parsed.success) return jsonError(400, `invalid field hostId: ${parsed.error.issues[0]?.message ?? "required"}`);
  return c.env.SESSION.getByName(c.req.param("id")).moveToHost(parsed.data.hostId);
});

// A person's answer to an approval request of the running turn; the session object sends it to the
// run's host, which answers the agent. The outcome reaches every tab as part of the answer's stream.
chatRoutes.post("/chat/:id/approvals/:approvalId", limitBody(APPROVAL_BODY_BYTES), async (c) => {
  const approvalId = c.req.param("approvalId");
  const id = approvalIdSchema.safeParse(approvalId);
  if (!id.success) return jsonError(400, `invalid approval id: ${id.error.issues[0]?.message ?? "required"}`);
  const body = await readJson(c);
  if (!body.ok) return body.response;
  const parsed = approvalAnswerSchema.safeParse(body.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return jsonError(400, `invalid field ${issue?.path.join(".") || "body"}: ${issue?.message ?? "required"}`);
  }
  return c.env.SESSION.getByName(c.req.param("id")).answerApproval(approvalId, parsed.data.approved, parsed.data.reason);
});

chatRoutes.get("/chat/:id/messages", async (c) => {
  const before = c.req.query("before") ?? null;
  if (before !== null && (before.length === 0 || before.length > 256)) return jsonError(400, "invalid before: must be a message id");
  const limit = pageLimit(c.req.query("limit"), MAX_HISTORY_PAGE_MESSAGES);
  if (limit === null) return jsonError(400, `invalid limit: must be a whole number from 1 to ${MAX_HISTORY_PAGE_MESSAGES}`);
  return c.env.SESSION.getByName(c.req.param("id")).history(before, limit);
});

chatRoutes.delete("/chat/:id", async (c) => {
  const id = c.req.param("id");
  const result = await c.env.SESSION.getByName(id).remove(id);
  return result.removed ? c.json({ deleted: true }) : jsonError(409, result.error ?? "cannot delete");
});

chatRoutes.get("/hosts", async (c) => c.json(await c.env.HUB.getByName("global").listHosts()));

chatRoutes.get("/chats", async (c) => {
  const beforeText = c.req.query("before");
  const before = beforeText === undefined ? null : parseSessionCursor(beforeText);
  if (before === null && beforeText !== undefined) return jsonError(400, `invalid before: must be the ${OLDER_CHATS_HEADER} header of a previous page`);
  const limit = pageLimit(c.req.query("limit"), CHATS_PAGE_ROWS);
  if (limit === null) return jsonError(400, `invalid limit: must be a whole number from 1 to ${CHATS_PAGE_ROWS}`);
  const page = await c.env.INDEX.getByName("global").list(before, limit);
  if (page.older !== null) c.header(OLDER_CHATS_HEADER, page.older);
  return c.json(page.sessions);
});

/** `?limit=`: absent gives `max`; null when it is not a whole number from 1 to `max`. */
function pageLimit(value: string | undefined, max: number): number | null {
  if (value === undefined) return max;
  const limit = /^\d{1,6}$/.test(value) ? Number(value) : 0;
  return limit >= 1 && limit <= max ? limit : null;
}
