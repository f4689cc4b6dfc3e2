// The relay token is pasted once and kept in this browser's localStorage.
const KEY = "agent-relay.token";

export function loadToken(): string | null {
  return localStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  localStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  localStorage.removeItem(KEY);
}
