// The host this browser last started a chat on, the default for the next new chat (localStorage).
const KEY = "agent-relay.last-host";

export function loadLastHost(): string | null {
  return localStorage.getItem(KEY);
}

export function saveLastHost(hostId: string): void {
  localStorage.setItem(KEY, hostId);
}
