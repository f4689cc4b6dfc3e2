import type { RelayUIMessage } from "../../../src/translate/chunks.ts";
import { messageItems } from "../chat/message-items.ts";
import { Markdown } from "./Markdown.tsx";
import { ToolCallView } from "./ToolCallView.tsx";

/** An assistant message's parts in the order they happened. */
export function MessageParts({ message }: { message: RelayUIMessage }) {
  return (
    <>
      {messageItems(message).map((item) => {
        switch (item.kind) {
          case "text":
            return <Markdown key={item.key} text={item.text} streaming={item.streaming} />;
          case "error":
            return (
              <div key={item.key} className="error-box">
                <strong>Error:</strong> {item.text}
              </div>
            );
          case "reasoning":
            return (
              <details key={item.key} className="reasoning">
                <summary>{item.streaming ? "Thinking…" : "Reasoning"}</summary>
                <p>{item.text}</p>
              </details>
            );
          case "tool":
            return <ToolCallView key={item.key} call={item.call} />;
          case "status":
            return (
              <p key={item.key} className="status-note">
                {item.text}
              </p>
            );
        }
      })}
    </>
  );
}
