// A chat belongs to an agent host: the one that ran its first turn, until a person moves it. What the
// chat and the API say about that, declared once.
import type { UIMessage } from "ai";

/** Metadata key of the note a move leaves in the chat (the page shows it as a note, not an answer). */
export const HOST_MOVE_METADATA = "hostMove";

export interface HostMove {
  from: string;
  to: string;
}

/** A send that names another host than the chat's own. */
export function chatHostConflictError(chatHost: string, asked: string): string {
  return `this chat belongs to agent host ${chatHost}, not ${asked}: move it first (POST /api/chat/:id/host)`;
}

/** The visible note a move leaves in the chat: the agent on the new host starts without its memory. */
export function hostMoveNote(from: string, to: string): UIMessage {
  const move: HostMove = { from, to };
  return {
    id: `host-move-${crypto.randomUUID()}`,
    role: "system",
    parts: [{ type: "text", text: hostMoveText(move) }],
    metadata: { [HOST_MOVE_METADATA]: move },
  };
}

export function hostMoveText({ from, to }: HostMove): string {
  return `Moved from agent host ${from} to ${to}. The agent on ${to} starts without its memory of this chat.`;
}
