// The paging contract of the browser API's lists (docs/api.md), shared by the Worker and the page.

/** `GET /api/chat/:id/messages` answers with this header (`true`) when messages older than the page
 * remain: ask again with `?before=<the page's first message id>`. */
export const OLDER_MESSAGES_HEADER = "x-older-messages";

/** Messages per history page, however small they are (`?limit=` may ask for fewer; bytes bound it too). */
export const MAX_HISTORY_PAGE_MESSAGES = 1000;

/** `GET /api/chats` answers with this header on a page that is not the last: its value is the
 * `?before=` of the next page. */
export const OLDER_CHATS_HEADER = "x-older-chats";

/** Sessions per `GET /api/chats` page (default and most). A row is a few hundred bytes at most (an id of
 * 128 characters, a title of 80), so a page stays under ~100 KB. */
export const CHATS_PAGE_ROWS = 200;
