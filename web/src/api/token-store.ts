// Where the relay token lives: this browser's localStorage, so every tab and every reload of the page
// is signed in after one paste (sessionStorage would ask again in each new tab; an HttpOnly cookie
// would need a login route and CSRF defences for the same result against the threat that matters).
// What can read it is script running in the page's origin, and the page runs only its own: its CSP
// allows scripts from 'self' alone, no inline script, and the agent's Markdown never becomes HTML.
// Signing out (or a 401) removes it. See docs/architecture.md, "The page and what the agent writes".
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
