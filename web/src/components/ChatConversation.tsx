import { useChat } from "@ai-sdk/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { httpStatusOf } from "../api/http-error.ts";
import type { ChatSummary, HostSummary, RelayApi } from "../api/relay-api.ts";
import { prependOlder, withLatestPage } from "../chat/history-pages.ts";
import { defaultHostFor } from "../chat/host-choice.ts";
import { loadLastHost, saveLastHost } from "../chat/last-host.ts";
import { isStreamingSnapshot } from "../chat/message-items.ts";
import { createRelayTransport } from "../chat/relay-transport.ts";
import { describeSendFailure } from "../chat/send-failure.ts";
import type { StreamEvent } from "../chat/stream-watch.ts";
import { useSessionSync } from "../chat/use-session-sync.ts";
import { useStreamRecovery } from "../chat/use-stream-recovery.ts";
import { AnswerApprovalContext, type AnswerApproval } from "./ApprovalPrompt.tsx";
import { ChatHost } from "./ChatHost.tsx";
import { Composer } from "./Composer.tsx";
import { MessageList } from "./MessageList.tsx";
import { StatusBar } from "./StatusBar.tsx";

/** How long a stopped run's stream may take to end on its own (the edge gives the host 10 s). */
const STOP_GRACE_MS = 12_000;

type Props = {
  sessionId: string;
  token: string;
  api: RelayApi;
  /** The session's latest messages as `GET /messages` gave them, the active run's message included. */
  initialMessages: RelayUIMessage[];
  /** Older messages remain in the relay, loaded when the person scrolls up. */
  initialHasOlder: boolean;
  /** This session's index row; null when the loaded list has none, undefined before it loads. */
  summary: ChatSummary | null | undefined;
  /** The connected agent hosts; undefined until the first list arrives. */
  hosts: HostSummary[] | undefined;
  /** A run started or ended, or a send was refused: refresh the session list and host status now. */
  refreshRelayState: () => void;
  onUnauthorized: () => void;
};

/** A live chat: useChat attached to the session's run, with Stop, reconnects and other tabs' runs. */
export function ChatConversation(props: Props) {
  const { sessionId, token, api, initialMessages, initialHasOlder, summary, hosts, refreshRelayState, onUnauthorized } = props;
  const [hasOlder, setHasOlder] = useState(initialHasOlder);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [draft, setDraft] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [stopping, setStopping] = useState(false);
  // A new chat's host as the person picked it; undefined: not picked, the default applies.
  const [pickedHost, setPickedHost] = useState<string | null | undefined>(undefined);
  const [moving, setMoving] = useState(false);
  // The host the message being sent was for, to name it if the relay says it is offline.
  const pendingHost = useRef<string | null>(null);
  // The text being sent, until its run's stream opens: it goes back to the composer if no run starts.
  const pendingSend = useRef<string | null>(null);
  const chatRef = useRef<ReturnType<typeof useChat<RelayUIMessage>> | null>(null);
  const streamEventRef = useRef<(event: StreamEvent) => void>(() => {});

  // A page (re)loaded in the middle of an answer resumes after what the loaded snapshot already shows:
  // the history it mounted with here, later loads in reload().
  const transport = useMemo(() => {
    const created = createRelayTransport(token, (event) => streamEventRef.current(event));
    created.continueFrom(initialMessages);
    return created;
  }, [token, sessionId]);
  const reload = useCallback(async () => {
    const page = await api.loadMessages(sessionId);
    const chat = chatRef.current;
    if (!chat) return;
    const { messages, joined } = withLatestPage(chat.messages, page.messages);
    transport.continueFrom(messages);
    chat.setMessages(messages);
    if (!joined) setHasOlder(page.hasOlder);
  }, [api, sessionId, transport]);

  const loadOlder = useCallback(async () => {
    const first = chatRef.current?.messages[0];
    if (!first || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api.loadMessages(sessionId, first.id);
      chatRef.current?.setMessages((messages) => prependOlder(messages, page.messages));
      setHasOlder(page.hasOlder);
    } catch (error) {
      setNotice(`Could not load earlier messages: ${(error as Error).message}`);
    } finally {
      setLoadingOlder(false);
    }
  }, [api, sessionId, loadingOlder]);
  const attach = useCallback(() => chatRef.current?.resumeStream() ?? Promise.resolve(), []);

  const recovery = useStreamRecovery({
    resume: attach,
    onNoRun: (wasRecovering) => {
      // The run ended out of sight: show its answer as the relay persisted it.
      if (wasRecovering || isStreamingSnapshot(chatRef.current?.messages.at(-1))) void reload();
    },
  });

  useEffect(() => {
    streamEventRef.current = (event) => {
      if (event === "attached") pendingSend.current = null;
      recovery.onStreamEvent(event);
      if (event !== "cut") refreshRelayState();
    };
  });

  const chat = useChat<RelayUIMessage>({
    id: sessionId,
    messages: initialMessages,
    resume: true,
    transport,
    onError: (error) => {
      if (httpStatusOf(error) === 401) return onUnauthorized();
      const unsent = pendingSend.current;
      if (unsent === null) return;
      pendingSend.current = null;
      // No run started for this message: take it out of the conversation and back into the composer.
      chatRef.current?.setMessages((messages) => (messages.at(-1)?.role === "user" ? messages.slice(0, -1) : messages));
      setDraft(unsent);
      setNotice(describeSendFailure(error, pendingHost.current));
      refreshRelayState();
      // 409: a run started elsewhere is going on in this session; follow it.
      if (httpStatusOf(error) === 409) void reload().then(attach);
    },
  });
  useEffect(() => {
    chatRef.current = chat;
  });

  const busy = chat.status === "submitted" || chat.status === "streaming" || recovery.reconnecting;
  useSessionSync({ summary, idle: !busy && pendingSend.current === null, reload, attach });

  const chatHost = summary?.hostId ?? null;
  const isNew = chatHost === null && chat.messages.length === 0;
  // Only a new chat's first message picks a host (and only then is localStorage read, not on every chunk).
  const firstHost = !isNew ? null : pickedHost !== undefined ? pickedHost : defaultHostFor(hosts ?? [], loadLastHost());

  function send() {
    const text = draft.trim();
    if (text === "" || busy) return;
    setNotice(null);
    pendingSend.current = draft;
    setDraft("");
    // A new chat's first message names the host it runs on; the chat stays there afterwards.
    const hostId = isNew ? firstHost : null;
    pendingHost.current = hostId ?? chatHost;
    if (hostId !== null) saveLastHost(hostId);
    void chat.sendMessage({ text }, hostId === null ? undefined : { body: { hostId } });
  }

  async function move(hostId: string) {
    setMoving(true);
    setNotice(null);
    try {
      await api.moveChat(sessionId, hostId);
      chat.clearError(); // a refusal for the old host no longer applies
      await reload(); // shows the note the move left in the chat
    } catch (error) {
      setNotice(`Could not move the chat: ${(error as Error).message}`);
    } finally {
      setMoving(false);
      refreshRelayState();
    }
  }

  // After Stop the stream is read to its end: the agent's last words before it died are part of the
  // answer the relay keeps, and the page must show that same answer. Only a stream that does not end
  // in time is cut here.
  const stopFallback = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const runActive = chat.status === "submitted" || chat.status === "streaming";
  useEffect(() => {
    if (!runActive) clearTimeout(stopFallback.current);
  }, [runActive]);

  async function stop() {
    setStopping(true);
    try {
      const aborted = await api.abortRun(sessionId);
      recovery.cancel();
      if (aborted) {
        clearTimeout(stopFallback.current);
        stopFallback.current = setTimeout(() => void chat.stop(), STOP_GRACE_MS);
      } else {
        await chat.stop();
      }
      // The run ends at the edge once the host confirms the agent stopped: show that in the list soon.
      setTimeout(refreshRelayState, 700);
    } catch (error) {
      setNotice(`Could not stop the run: ${(error as Error).message}`);
    } finally {
      setStopping(false);
    }
  }

  // The relay, not this tab, talks to the agent: the decision goes there first. Then the SDK's own
  // state shows it here at once; the stream brings the outcome to every tab (and to this one again).
  const answerApproval = useCallback<AnswerApproval>(
    async (approvalId, approved) => {
      await api.answerApproval(sessionId, approvalId, approved);
      await chatRef.current?.addToolApprovalResponse({ id: approvalId, approved });
    },
    [api, sessionId],
  );

  const streamProblem = chat.status === "error" && !recovery.reconnecting ? chat.error?.message : undefined;
  const problem = notice ?? streamProblem;
  const activity =
    chat.status === "submitted" ? "Waiting for the agent…" : chat.status === "streaming" ? "The agent is answering…" : null;

  return (
    <>
      <AnswerApprovalContext value={answerApproval}>
        <MessageList messages={chat.messages} hasOlder={hasOlder} loadingOlder={loadingOlder} onLoadOlder={() => void loadOlder()} />
      </AnswerApprovalContext>
      {problem && (
        <p className="chat-problem" role="alert">
          {problem}
        </p>
      )}
      <ChatHost
        chatHost={chatHost}
        isNew={isNew}
        hosts={hosts}
        picked={firstHost}
        onPick={setPickedHost}
        onMove={(hostId) => void move(hostId)}
        busy={busy || moving}
      />
      <Composer draft={draft} onDraftChange={setDraft} onSend={send} onStop={stop} busy={busy} stopping={stopping} />
      <StatusBar hostsConnected={hosts?.length} activity={activity} reconnecting={recovery.reconnecting} />
    </>
  );
}
