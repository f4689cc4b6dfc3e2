import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { MessageParts } from "./MessageParts.tsx";

/** One message: the person's text as they typed it, a note from the relay, or the agent's answer. */
export function MessageView({ message }: { message: RelayUIMessage }) {
  if (message.role === "user") {
    return (
      <article className="message message-user" aria-label="You">
        <p>{plainText(message)}</p>
      </article>
    );
  }
  if (message.role === "system") {
    // A note from the relay, e.g. that the chat moved to another agent host.
    return (
      <p className="message-note" role="note">
        {plainText(message)}
      </p>
    );
  }
  return (
    <article className="message message-assistant" aria-label="Agent">
      <MessageParts message={message} />
    </article>
  );
}

function plainText(message: RelayUIMessage): string {
  return message.parts.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n");
}
