// What a send is told when its chat cannot run now: the one wording of each, for the hub, the session
// object and the tests (docs/api.md quotes them).

/** A new chat (no host of its own yet) and not one agent host is connected. */
export const NO_HOST_CONNECTED = "no agent host is connected";

/** The chat's own host (or the host asked for) is not connected: nothing runs elsewhere. */
export function hostOfflineError(hostId: string): string {
  return `agent host ${hostId} is offline`;
}
