// The open session lives in the URL (/chat/<id>), so a reload or a shared link reopens it.
import { ID_PATTERN } from "../../protocol/limits.ts";

const PREFIX = "/chat/";

/** The session id in a page path, or null for any other path (the session list). */
export function sessionIdFromPath(pathname: string): string | null {
  if (!pathname.startsWith(PREFIX)) return null;
  let id: string;
  try {
    id = decodeURIComponent(pathname.slice(PREFIX.length));
  } catch {
    return null; // a malformed escape (e.g. /chat/%E0) is no session
  }
  return ID_PATTERN.test(id) ? id : null;
}

export function pathForSession(sessionId: string | null): string {
  return sessionId === null ? "/" : PREFIX + encodeURIComponent(sessionId);
}

/** A new session's id, made here: the relay creates a session on its first message. */
export function newSessionId(): string {
  return crypto.randomUUID();
}
