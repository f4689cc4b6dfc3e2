import type { KeyboardEvent } from "react";
import { MAX_MESSAGE_CHARS } from "../../../protocol/limits.ts";

type Props = {
  draft: string;
  onDraftChange: (text: string) => void;
  onSend: () => void;
  onStop: () => void;
  /** A run is going (or being re-attached): Stop instead of Send. */
  busy: boolean;
  stopping: boolean;
};

/** The message box: Enter sends, Shift+Enter starts a new line; Stop while the agent answers. */
export function Composer({ draft, onDraftChange, onSend, onStop, busy, stopping }: Props) {
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (!busy) onSend();
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        onSend();
      }}
    >
      <label htmlFor="message-input" className="visually-hidden">
        Message
      </label>
      <span id="message-keys" className="visually-hidden">
        Enter sends, Shift+Enter starts a new line.
      </span>
      <textarea
        id="message-input"
        rows={2}
        placeholder="Message your agent"
        aria-describedby="message-keys"
        maxLength={MAX_MESSAGE_CHARS}
        value={draft}
        onChange={(event) => onDraftChange(event.target.value)}
        onKeyDown={onKeyDown}
        autoFocus
      />
      {busy ? (
        <button type="button" className="stop" onClick={onStop} disabled={stopping}>
          {stopping ? "Stopping…" : "Stop"}
        </button>
      ) : (
        <button type="submit" disabled={draft.trim() === ""}>
          Send
        </button>
      )}
    </form>
  );
}
