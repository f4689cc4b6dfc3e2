// The relay's JSON endpoints (docs/api.md), called with the browser's relay token. The chat stream
// itself goes through the AI SDK transport (chat/relay-transport.ts), not through here.
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { RelayApiError, errorMessageFromBody } from "./http-error.ts";

/** One row of `GET /api/chats` (newest first), as far as the page uses it. Times are epoch ms. */
export type ChatSummary = {
  id: string;
  title: string;
  updatedAt: number;
  /** "running" while a run is active; otherwise how the last run ended. */
  status: string;
};

export type RelayApi = {
  listChats(): Promise<ChatSummary[]>;
  loadMessages(sessionId: string): Promise<RelayUIMessage[]>;
  abortRun(sessionId: string): Promise<boolean>;
};

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
    async listChats() {
      return (await (await call("/api/chats")).json()) as ChatSummary[];
    },
    async loadMessages(sessionId) {
      return (await (await call(`/api/chat/${encodeURIComponent(sessionId)}/messages`)).json()) as RelayUIMessage[];
    },
    async abortRun(sessionId) {
      const answer = await call(`/api/chat/${encodeURIComponent(sessionId)}/abort`, { method: "POST" });
      return ((await answer.json()) as { aborted: boolean }).aborted;
    },
  };
}

/** `GET /api/health` needs no token: the page can show host status before sign-in completes. */
export async function fetchHostsConnected(): Promise<number> {
  const response = await fetch("/api/health");
  if (!response.ok) throw new RelayApiError(response.status, `health check answered ${response.status}`);
  return ((await response.json()) as { hostsConnected: number }).hostsConnected;
}

/** A token is right when the relay lists the chats with it; 401 means it is wrong. */
export async function checkToken(token: string): Promise<"accepted" | "refused"> {
  const response = await fetch("/api/chats", { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 401) return "refused";
  if (!response.ok) {
    throw new RelayApiError(response.status, errorMessageFromBody(await response.text(), `${response.status}`));
  }
  return "accepted";
}
