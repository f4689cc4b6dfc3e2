import { useCallback, useEffect, useMemo, useState } from "react";
import { createRelayApi } from "../api/relay-api.ts";
import { newSessionId, pathForSession, sessionIdFromPath } from "../session-path.ts";
import { useChatList } from "../chat/use-chat-list.ts";
import { usePolling } from "../use-polling.ts";
import { ChatView } from "./ChatView.tsx";
import { SessionList } from "./SessionList.tsx";
import { StatusBar } from "./StatusBar.tsx";

/** How often the session list and the host status are refreshed while the page is visible. */
const POLL_MS = 4000;

type Props = {
  token: string;
  onSignOut: (reason: string | null) => void;
};

/** The signed-in page: the session list beside the open chat (one at a time on a phone). */
export function Workspace({ token, onSignOut }: Props) {
  const onUnauthorized = useCallback(
    () => onSignOut("The relay refused the saved token. Paste the current one."),
    [onSignOut],
  );
  const api = useMemo(() => createRelayApi(token, onUnauthorized), [token, onUnauthorized]);
  const [openId, setOpenId] = useState(() => sessionIdFromPath(location.pathname));
  const chats = useChatList(api, POLL_MS);
  const hosts = usePolling(api.listHosts, POLL_MS);
  const refreshRelayState = useCallback(() => {
    void chats.refresh();
    void hosts.refresh();
  }, [chats.refresh, hosts.refresh]);

  useEffect(() => {
    const onPopState = () => setOpenId(sessionIdFromPath(location.pathname));
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, []);

  const open = useCallback((sessionId: string | null) => {
    history.pushState(null, "", pathForSession(sessionId));
    setOpenId(sessionId);
  }, []);

  return (
    <div className={openId === null ? "workspace" : "workspace chat-open"}>
      <header className="top-bar">
        <h1>agent-relay</h1>
        <button type="button" className="sign-out" onClick={() => onSignOut(null)}>
          Sign out
        </button>
      </header>
      <SessionList
        chats={chats.chats}
        hosts={hosts.data}
        loadError={chats.error}
        hasMore={chats.hasMore}
        loadingMore={chats.loadingMore}
        onLoadMore={() => void chats.loadMore()}
        openId={openId}
        onOpen={open}
        onNewChat={() => open(newSessionId())}
      />
      <main className="chat-pane">
        {openId === null ? (
          <div className="no-chat">
            <p>Pick a chat, or start a new one.</p>
            <StatusBar hostsConnected={hosts.data?.length} />
          </div>
        ) : (
          <ChatView
            key={openId}
            sessionId={openId}
            token={token}
            api={api}
            // Not on the pages loaded so far: unknown while more remain, absent (a new chat) otherwise.
            summary={chats.chats && (chats.chats.find((chat) => chat.id === openId) ?? (chats.hasMore ? undefined : null))}
            hosts={hosts.data}
            refreshRelayState={refreshRelayState}
            onUnauthorized={onUnauthorized}
            onBack={() => open(null)}
          />
        )}
      </main>
    </div>
  );
}
