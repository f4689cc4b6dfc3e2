import type { ChatSummary, HostSummary } from "../api/relay-api.ts";
import { chatHostState } from "../chat/host-choice.ts";
import { relativeTime } from "../relative-time.ts";

type Props = {
  chats: ChatSummary[] | undefined;
  /** The connected agent hosts, to mark chats whose host is away. */
  hosts: HostSummary[] | undefined;
  loadError: Error | undefined;
  /** Older sessions remain beyond the pages loaded. */
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  openId: string | null;
  onOpen: (sessionId: string) => void;
  onNewChat: () => void;
};

/** The sessions, newest first, with when each was last active and whether a run is going. */
export function SessionList({ chats, hosts, loadError, hasMore, loadingMore, onLoadMore, openId, onOpen, onNewChat }: Props) {
  const now = Date.now();
  // A new chat has no row in the index until its first message: show it anyway while it is open.
  // (Only once every page is loaded: before that, an open chat missing from the list may be an old one.)
  const openIsNew = openId !== null && chats !== undefined && !hasMore && !chats.some((chat) => chat.id === openId);

  return (
    <nav className="session-list" aria-label="Chats">
      <button type="button" className="new-chat" onClick={onNewChat}>
        + New chat
      </button>
      {loadError && (
        <p className="list-problem" role="alert">
          Could not load the chats: {loadError.message}
        </p>
      )}
      {chats === undefined && !loadError && <p className="list-hint">Loading chats…</p>}
      {chats?.length === 0 && !openIsNew && <p className="list-hint">No chats yet.</p>}
      <ul>
        {openIsNew && (
          <li>
            <button type="button" className="session" aria-current="page" onClick={() => onOpen(openId)}>
              <span className="session-title">New chat</span>
            </button>
          </li>
        )}
        {chats?.map((chat) => (
          <li key={chat.id}>
            <button
              type="button"
              className="session"
              aria-current={chat.id === openId ? "page" : undefined}
              onClick={() => onOpen(chat.id)}
            >
              <span className="session-title">{chat.title || "Untitled"}</span>
              <span className="session-meta">
                {chat.status === "running" && <span className="running-marker">● running</span>}
                {chat.hostId !== null && (
                  <span className={chatHostState(chat.hostId, hosts) === "offline" ? "session-host host-away" : "session-host"}>
                    {chat.hostId}
                    {chatHostState(chat.hostId, hosts) === "offline" && " (offline)"}
                  </span>
                )}
                <time dateTime={new Date(chat.updatedAt).toISOString()}>{relativeTime(chat.updatedAt, now)}</time>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {hasMore && (
        <button type="button" className="load-more" onClick={onLoadMore} disabled={loadingMore}>
          {loadingMore ? "Loading older chats…" : "Load older chats"}
        </button>
      )}
    </nav>
  );
}
