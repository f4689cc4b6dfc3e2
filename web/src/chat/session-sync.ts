// Another tab or device can start a run in the session this page shows. The session index
// (GET /api/chats, polled) says so: its row changes when a run starts or ends.
import type { ChatSummary } from "../api/relay-api.ts";

export type SyncAction = "none" | "reload" | "reload-and-attach";

type SummaryState = Pick<ChatSummary, "updatedAt" | "status">;

/**
 * This session's row in the index: `null` when the list is loaded and has no row for it (a chat whose
 * first message has not been sent yet), `undefined` while the list is not loaded.
 */
export type SessionRow = SummaryState | null | undefined;

/** The index row's change stamp for this session ("absent" for a loaded list without it). */
export function syncStamp(summary: SummaryState | null): string {
  return summary === null ? "absent" : `${summary.updatedAt}|${summary.status}`;
}

/**
 * What the page must do to show a change made elsewhere: reload the history, and attach to the live
 * stream when a run is active. `lastStamp` is the row the page last caught up with (undefined: none
 * yet, the history just loaded is the starting point). A page following a stream (`idle` false) sees
 * its run's changes live and does nothing.
 */
export function decideSync(summary: SessionRow, lastStamp: string | undefined, idle: boolean): SyncAction {
  if (!idle || summary === undefined || lastStamp === undefined) return "none";
  if (syncStamp(summary) === lastStamp) return "none";
  return summary?.status === "running" ? "reload-and-attach" : "reload";
}
