// The body of `POST /api/chat`: what AI SDK's DefaultChatTransport sends; and the other routes' small bodies.
import type { UIMessage } from "ai";
import { z } from "zod";
import { runApprovalFrame } from "../protocol/host.ts";
import { ID_PATTERN, MAX_JSON_DEPTH, MAX_MESSAGE_CHARS } from "../protocol/limits.ts";
import { jsonValueNestingExceeds } from "./translate/json.ts";

export const sessionIdSchema = z.string().regex(ID_PATTERN, "must match [A-Za-z0-9_-]{1,128}");

const messageSchema = z.object({
  id: z.string().min(1).max(256),
  role: z.enum(["system", "user", "assistant"]),
  parts: z.array(z.looseObject({ type: z.string() })),
  metadata: z.unknown().optional(),
});

export const chatRequestSchema = z.looseObject({
  id: sessionIdSchema,
  messages: z.array(messageSchema).min(1, "must hold at least the new user message"),
  trigger: z.enum(["submit-message", "regenerate-message"]).default("submit-message"),
  messageId: z.string().optional(),
  /** The agent host a new chat's first turn goes to (GET /api/hosts); later turns go to the chat's own. */
  hostId: sessionIdSchema.optional(),
});

/** The body of POST /api/chat/:id/host. */
export const moveChatSchema = z.object({ hostId: sessionIdSchema });

/**
 * The body of POST /api/chat/:id/approvals/:approvalId (the decision, and a reason if the person gave
 * one) and its id: the fields of the run socket's approval frame, which carries them on to the host.
 */
export const approvalAnswerSchema = runApprovalFrame.pick({ approved: true, reason: true });
export const approvalIdSchema = runApprovalFrame.shape.approvalId;

export interface ChatRequest {
  sessionId: string;
  userMessage: UIMessage;
  text: string;
  regenerate: boolean;
  hostId?: string;
}

/** Validates the body; errors name the field, as the API promises. */
export function parseChatRequest(body: unknown): { ok: true; request: ChatRequest } | { ok: false; error: string } {
  // Stored and passed between objects as it came: a value too deep to serialize must be refused here.
  if (jsonValueNestingExceeds(body, MAX_JSON_DEPTH)) {
    return { ok: false, error: `invalid body: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `invalid field ${issue.path.join(".") || "(body)"}: ${issue.message}` };
  }
  const { id, messages, trigger, hostId } = parsed.data;
  const last = messages[messages.length - 1]!;
  if (last.role !== "user") return { ok: false, error: "invalid field messages: the last message must be the user's" };
  const text = last.parts
    .filter((part) => part.type === "text" && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("\n");
  if (text.trim() === "") return { ok: false, error: "invalid field messages: the last message has no text" };
  if (text.length > MAX_MESSAGE_CHARS) {
    return { ok: false, error: `invalid field messages: the message is longer than ${MAX_MESSAGE_CHARS} characters` };
  }
  const userMessage = { id: last.id, role: "user", parts: last.parts, ...(last.metadata === undefined ? {} : { metadata: last.metadata }) } as UIMessage;
  return {
    ok: true,
    request: { sessionId: id, userMessage, text, regenerate: trigger === "regenerate-message", ...(hostId === undefined ? {} : { hostId }) },
  };
}
