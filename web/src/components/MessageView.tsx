import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { MessageParts } from "./MessageParts.tsx";

/** One message: the person's text as they typed it, or the agent's answer. */
export function MessageView({ message }: { message: RelayUIMessage }) {
  if (message.role === "user") {
    const text = message.parts.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n");
    return (
      <article className="message message-user" aria-label="You">
        <p>{text}</p>
      </article>
    );
  }
  return (
    <article className="message message-assistant" aria-label="Agent">
      <MessageParts message={message} />
    </article>
  );
}
