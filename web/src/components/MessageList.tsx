import { useLayoutEffect, useRef } from "react";
import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { MessageView } from "./MessageView.tsx";

/** How close to the bottom (px) still counts as following the answer as it grows. */
const FOLLOW_SLACK_PX = 48;

/** The conversation, kept scrolled to the newest words unless the person scrolled up to read. */
export function MessageList({ messages }: { messages: RelayUIMessage[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
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
      }}
    >
      {messages.length === 0 && <p className="empty-chat">Send a message to start.</p>}
      {messages.map((message) => (
        <MessageView key={message.id} message={message} />
      ))}
    </div>
  );
}
