// The relay's JSON endpoints (docs/api.md), called with the browser's relay token. The chat stream
// itself goes through the AI SDK transport (chat/relay-transport.ts), not through here.
import type { HostSummary } from "../../../protocol/host-list.ts";
import { OLDER_CHATS_HEADER, OLDER_MESSAGES_HEADER } from "../../../protocol/paging.ts";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { RelayApiError, errorMessageFromBody } from "./http-error.ts";

/** One row of `GET /api/chats` (newest first, in pages), as far as the page uses it. Times are epoch ms. */
export type ChatSummary = {
  id: string;
  title: string;
  updatedAt: number;
  /** "running" while a run is active; otherwise how the last run ended. */
  status: string;
  /** The agent host the chat's turns go to; null before its first turn. */
  hostId: string | null;
};

/** One row of `GET /api/hosts`: a connected agent host. */
export type { HostSummary };

/** One page of `GET /api/chats`: its sessions and the cursor of the next (older) page, if any. */
export type ChatPage = { chats: ChatSummary[]; older: string | null };

/** One page of the conversation, oldest message first; `hasOlder`: ask with `before` = its first id. */
export type HistoryPage = { messages: RelayUIMessage[]; hasOlder: boolean };

export type RelayApi = {
  /** The newest sessions, or those after `before` (a page's `older` cursor). */
  listChats(before?: string | null): Promise<ChatPage>;
  /** The latest messages, or those before the message with id `before`. */
  loadMessages(sessionId: string, before?: string): Promise<HistoryPage>;
  abortRun(sessionId: string): Promise<boolean>;
  /** A person's decision on an approval request of the running turn (the relay passes it to the agent's host). */
  answerApproval(sessionId: string, approvalId: string, approved: boolean): Promise<void>;
  listHosts(): Promise<HostSummary[]>;
  /** From now on the chat's turns run on `hostId`, whose agent starts without the chat's memory. */
  moveChat(sessionId: string, hostId: string): Promise<void>;
};

/** Messages the page asks for at a time (the relay also bounds a page by bytes): what a person reads
 * first, without rendering a long history at once. */
const MESSAGES_PER_PAGE = 50;

/** `onUnauthorized` runs on any 401, so a token revoked mid-session sends the person back to sign-in. */
export function createRelayApi(token: string, onUnauthorized: () => void): RelayApi {
  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });
    if (response.ok) return response;
    if (response.status === 401) onUnauthorized();
    const fallback = `${response.status} ${response.statusText}`.trim();
    throw new RelayApiError(response.status, errorMessageFromBody(await response.text(), fallback));
  }

  return {
    async listChats(before = null) {
      const response = await call(before === null ? "/api/chats" : `/api/chats?before=${encodeURIComponent(before)}`);
      return { chats: (await response.json()) as ChatSummary[], older: response.headers.get(OLDER_CHATS_HEADER) };
    },
    async loadMessages(sessionId, before) {
      const query = `?limit=${MESSAGES_PER_PAGE}${before === undefined ? "" : `&before=${encodeURIComponent(before)}`}`;
      const response = await call(`/api/chat/${encodeURIComponent(sessionId)}/messages${query}`);
      return { messages: (await response.json()) as RelayUIMessage[], hasOlder: response.headers.get(OLDER_MESSAGES_HEADER) === "true" };
    },
    async abortRun(sessionId) {
      const answer = await call(`/api/chat/${encodeURIComponent(sessionId)}/abort`, { method: "POST" });
      return ((await answer.json()) as { aborted: boolean }).aborted;
    },
    async answerApproval(sessionId, approvalId, approved) {
      await call(`/api/chat/${encodeURIComponent(sessionId)}/approvals/${encodeURIComponent(approvalId)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ approved }),
      });
    },
    async listHosts() {
      return (await (await call("/api/hosts")).json()) as HostSummary[];
    },
    async moveChat(sessionId, hostId) {
      await call(`/api/chat/${encodeURIComponent(sessionId)}/host`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hostId }),
      });
    },
  };
}

/** A token is right when the relay lists the chats with it; 401 means it is wrong. */
export async function checkToken(token: string): Promise<"accepted" | "refused"> {
  const response = await fetch("/api/chats?limit=1", { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 401) return "refused";
  if (!response.ok) {
    throw new RelayApiError(response.status, errorMessageFromBody(await response.text(), `${response.status}`));
  }
  return "accepted";
}
