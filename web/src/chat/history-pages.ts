// The conversation arrives in pages (GET /api/chat/:id/messages, newest first): the page shows the
// latest page at once and loads older pages as the person scrolls up. These keep the messages the page
// holds in order when pages meet (pure).

type WithId = { id: string };

/** Older messages go in front; any the page already holds are not repeated. */
export function prependOlder<M extends WithId>(current: M[], older: M[]): M[] {
  const held = new Set(current.map((message) => message.id));
  return [...older.filter((message) => !held.has(message.id)), ...current];
}

/**
 * A fresh latest page replaces the newest messages the page holds. When it starts at a message the page
 * holds, what came before stays (`joined`); otherwise (the history was cut back by a regenerate, or grew
 * by more than a page elsewhere) the latest page is all there is until older pages are loaded again.
 */
export function withLatestPage<M extends WithId>(current: M[], latest: M[]): { messages: M[]; joined: boolean } {
  const first = latest[0];
  const at = first === undefined ? -1 : current.findIndex((message) => message.id === first.id);
  return at < 0 ? { messages: latest, joined: false } : { messages: [...current.slice(0, at), ...latest], joined: true };
}
