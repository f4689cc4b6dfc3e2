/** How close to the bottom (px) still counts as following the answer as it grows. */
const FOLLOW_SLACK_PX = 48;
/** How close to the top (px) loads the earlier messages. */
export const LOAD_OLDER_SLACK_PX = 200;

/** What the conversation showed when it last rendered. */
export type ShownList = { firstId: string | undefined; scrollHeight: number };

/** The scroll box right after new messages were rendered into it (before the browser paints). */
export type ScrollBox = { scrollTop: number; scrollHeight: number; clientHeight: number };

/**
 * Where the conversation scrolls once its messages changed: to the newest words if the person was at the
 * bottom of what was shown before, or by the height put in front when earlier messages were prepended,
 * so the same words stay in view; undefined leaves it where it is.
 *
 * "At the bottom" is read from the scroll position itself, not from the last scroll event: the browser
 * delivers scroll events a frame late, and a render in between (a reload, a resumed stream) would
 * otherwise pull someone who had just scrolled up back down, and the earlier messages would never load.
 */
export function scrollTopAfterRender(box: ScrollBox, before: ShownList, messages: readonly { id: string }[]): number | undefined {
  const wasAtBottom = before.scrollHeight - box.scrollTop - box.clientHeight < FOLLOW_SLACK_PX;
  if (wasAtBottom) return box.scrollHeight;
  // Looked for only when the first message changed: this runs on every chunk of a streaming answer.
  const prepended = before.firstId !== undefined && messages[0]?.id !== before.firstId && messages.some((message) => message.id === before.firstId);
  return prepended ? box.scrollTop + box.scrollHeight - before.scrollHeight : undefined;
}
