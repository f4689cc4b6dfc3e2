import { useEffect, useRef } from "react";
import { decideSync, syncStamp, type SessionRow } from "./session-sync.ts";

type SyncOptions = {
  summary: SessionRow;
  /** No stream attached and none being (re)established: the page is not following a run. */
  idle: boolean;
  reload: () => Promise<void>;
  attach: () => Promise<void>;
};

/** Follows runs started by other tabs or devices, and picks up their final persisted answers. */
export function useSessionSync({ summary, idle, reload, attach }: SyncOptions) {
  // The history was loaded (and a live run attached) when the view opened: start from that row, or from
  // its absence (a new chat whose first run another tab may start).
  const lastStamp = useRef(summary === undefined ? undefined : syncStamp(summary));

  useEffect(() => {
    if (summary === undefined) return;
    const action = decideSync(summary, lastStamp.current, idle);
    lastStamp.current = syncStamp(summary);
    if (action === "none") return;
    void reload().then(() => (action === "reload-and-attach" ? attach() : undefined));
  }, [summary, idle, reload, attach]);
}
