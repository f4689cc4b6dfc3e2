import { useLayoutEffect, useRef } from "react";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { MessageView } from "./MessageView.tsx";

/** How close to the bottom (px) still counts as following the answer as it grows. */
const FOLLOW_SLACK_PX = 48;
/** How close to the top (px) loads the earlier messages. */
const LOAD_OLDER_SLACK_PX = 200;

type Props = {
  messages: RelayUIMessage[];
  /** Earlier messages remain in the relay. */
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
};

/**
 * The conversation, kept scrolled to the newest words unless the person scrolled up to read. Scrolling
 * near the top loads the earlier messages; they appear above without moving what the person reads.
 */
export function MessageList({ messages, hasOlder, loadingOlder, onLoadOlder }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const shown = useRef<{ firstId: string | undefined; scrollHeight: number }>({ firstId: undefined, scrollHeight: 0 });

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const firstId = messages[0]?.id;
    const before = shown.current;
    if (following.current) element.scrollTop = element.scrollHeight;
    else if (before.firstId !== undefined && firstId !== before.firstId && messages.some((message) => message.id === before.firstId)) {
      // Earlier messages were put in front: keep the same words in view.
      element.scrollTop += element.scrollHeight - before.scrollHeight;
    }
    shown.current = { firstId, scrollHeight: element.scrollHeight };
  }, [messages]);

  return (
    <div
      className="message-list"
      ref={scroller}
      tabIndex={0}
      role="region"
      aria-label="Conversation"
      onScroll={(event) => {
        const element = event.currentTarget;
        following.current = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_SLACK_PX;
        shown.current.scrollHeight = element.scrollHeight;
        if (hasOlder && !loadingOlder && element.scrollTop < LOAD_OLDER_SLACK_PX) onLoadOlder();
      }}
    >
      {hasOlder && (
        <button type="button" className="load-older" onClick={onLoadOlder} disabled={loadingOlder}>
          {loadingOlder ? "Loading earlier messages…" : "Load earlier messages"}
        </button>
      )}
      {messages.length === 0 && <p className="empty-chat">Send a message to start.</p>}
      {messages.map((message) => (
        <MessageView key={message.id} message={message} />
      ))}
    </div>
  );
}
