import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatPage, RelayApi } from "../api/relay-api.ts";
import { usePolling } from "../use-polling.ts";
import { visibleChats, withLatestPage, withOlderPage, type OlderChats } from "./chat-pages.ts";

/** The session list: the first page polled every `intervalMs`, older pages loaded on request. */
export function useChatList(api: RelayApi, intervalMs: number) {
  const latest = usePolling(api.listChats, intervalMs);
  const [older, setOlder] = useState<OlderChats | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>(undefined);
  const previous = useRef<ChatPage | undefined>(undefined);

  useEffect(() => {
    if (latest.data === undefined) return;
    const before = previous.current;
    previous.current = latest.data;
    setOlder((held) => withLatestPage(held, before, latest.data!));
  }, [latest.data]);

  const view = latest.data && visibleChats(latest.data, older);
  const more = view?.more ?? null;
  const loadMore = useCallback(async () => {
    if (more === null || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await api.listChats(more);
      setOlder((held) => withOlderPage(held, page));
      setMoreError(undefined);
    } catch (error) {
      setMoreError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingMore(false);
    }
  }, [api, more, loadingMore]);

  return { chats: view?.chats, hasMore: more !== null, loadMore, loadingMore, error: latest.error ?? moreError, refresh: latest.refresh };
}
