import { useLayoutEffect, useRef } from "react";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { LOAD_OLDER_SLACK_PX, scrollTopAfterRender, type ShownList } from "../chat/scroll-position.ts";
import { MessageView } from "./MessageView.tsx";

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
  const shown = useRef<ShownList>({ firstId: undefined, scrollHeight: 0 });

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const scrollTop = scrollTopAfterRender(element, shown.current, messages);
    if (scrollTop !== undefined) element.scrollTop = scrollTop;
    shown.current = { firstId: messages[0]?.id, scrollHeight: element.scrollHeight };
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
