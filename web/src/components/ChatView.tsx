import { useEffect, useState } from "react";
import type { ChatSummary, HistoryPage, HostSummary, RelayApi } from "../api/relay-api.ts";
import { ChatConversation } from "./ChatConversation.tsx";

type Props = {
  sessionId: string;
  token: string;
  api: RelayApi;
  /** This session's index row; null when the loaded list has none, undefined before it loads. */
  summary: ChatSummary | null | undefined;
  hosts: HostSummary[] | undefined;
  refreshRelayState: () => void;
  onUnauthorized: () => void;
  onBack: () => void;
};

/** One session: its latest messages are loaded first, then the live chat takes over from them. */
export function ChatView(props: Props) {
  const { sessionId, api, summary, onBack } = props;
  const [history, setHistory] = useState<HistoryPage | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setLoadError(null);
    api.loadMessages(sessionId).then(
      (page) => current && setHistory(page),
      (error: Error) => current && setLoadError(error.message),
    );
    return () => {
      current = false;
    };
  }, [api, sessionId, attempt]);

  return (
    <section className="chat-view" aria-labelledby="chat-title">
      <header className="chat-header">
        <button type="button" className="back" onClick={onBack}>
          ← Chats
        </button>
        <h2 id="chat-title">{summary?.title || "New chat"}</h2>
      </header>
      {loadError ? (
        <div className="chat-problem" role="alert">
          Could not load this chat: {loadError}{" "}
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : history === null ? (
        <p className="loading">Loading the conversation…</p>
      ) : (
        <ChatConversation {...props} initialMessages={history.messages} initialHasOlder={history.hasOlder} />
      )}
    </section>
  );
}
