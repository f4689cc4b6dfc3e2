import { errorMessageFromBody, httpStatusOf } from "../api/http-error.ts";

/**
 * Why a message could not start, in words a person can act on. `hostId`: the host the message was for
 * (the chat's own, or the one chosen for a new chat's first message), if any.
 */
export function describeSendFailure(error: Error, hostId: string | null = null): string {
  const status = httpStatusOf(error);
  const serverSaid = errorMessageFromBody(error.message, "");
  switch (status) {
    case 503:
      return hostId === null
        ? "No agent host is connected, so the message could not start. Start the agent host, then send again."
        : `Agent host ${hostId} is offline, so the message could not start. Start it again (this chat's agent memory is there), or move the chat to another host.`;
    case 409:
      return "This session is already answering a message. Wait for it to finish or stop it, then send again.";
    case undefined:
      return `The relay could not be reached (${error.message}). Check the connection, then send again.`;
    default:
      return `The relay refused the message (${status}${serverSaid ? `: ${serverSaid}` : ""}).`;
  }
}
