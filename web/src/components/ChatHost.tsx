import { useState } from "react";
import type { HostSummary } from "../api/relay-api.ts";
import { chatHostState, describeHost, moveWarning } from "../chat/host-choice.ts";

type Props = {
  /** The host the chat's turns go to; null for a chat that has not run yet. */
  chatHost: string | null;
  /** A new chat (nothing sent yet): the person picks the host its first message goes to. */
  isNew: boolean;
  hosts: HostSummary[] | undefined;
  /** The host picked for a new chat's first message; null: the relay takes the least busy. */
  picked: string | null;
  onPick: (hostId: string | null) => void;
  onMove: (hostId: string) => void;
  /** A run is going or a move is under way: no move now. */
  busy: boolean;
};

/** Which agent host the chat runs on: a picker for a new chat, the chat's host (and whether it is
 * connected) afterwards, and an explicit move that warns the agent there starts without its memory. */
export function ChatHost({ chatHost, isNew, hosts, picked, onPick, onMove, busy }: Props) {
  const [moveTo, setMoveTo] = useState("");
  if (chatHost === null) {
    if (!isNew || hosts === undefined || hosts.length === 0) return null;
    return (
      <div className="chat-host">
        <label>
          Agent host{" "}
          <select value={picked ?? ""} onChange={(event) => onPick(event.target.value === "" ? null : event.target.value)}>
            {hosts.length > 1 && <option value="">Any (least busy)</option>}
            {hosts.map((host) => (
              <option key={host.id} value={host.id}>
                {describeHost(host)}
              </option>
            ))}
          </select>
        </label>
      </div>
    );
  }
  const state = chatHostState(chatHost, hosts);
  const others = (hosts ?? []).filter((host) => host.id !== chatHost);
  return (
    <div className="chat-host">
      <span className="chat-host-name">
        Agent host: <strong>{chatHost}</strong>
      </span>
      {state === "offline" && (
        <span className="chat-host-offline" role="alert">
          Agent host {chatHost} is offline: this chat's messages can start only when it is back.
        </span>
      )}
      {others.length > 0 && (
        <form
          className="chat-host-move"
          onSubmit={(event) => {
            event.preventDefault();
            if (moveTo !== "" && window.confirm(moveWarning(chatHost, moveTo))) onMove(moveTo);
          }}
        >
          <select aria-label="Move this chat to another agent host" value={moveTo} onChange={(event) => setMoveTo(event.target.value)}>
            <option value="">Move to…</option>
            {others.map((host) => (
              <option key={host.id} value={host.id}>
                {describeHost(host)}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || moveTo === ""}>
            Move
          </button>
        </form>
      )}
    </div>
  );
}
