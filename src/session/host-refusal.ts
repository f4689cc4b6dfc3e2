// A host's refusal of a run (run-rejected, passed on by the hub) counts only from the host the run was
// given to: the hub checks that against its own assignment, the session object against the host it
// recorded from the hub's answer to startRun. That answer and the hub's call passing a refusal on travel
// separately, so a host that refuses at once (busy, an agent that cannot start) can be heard first: its
// refusal is held with the run until the answer is recorded, then counts if the recorded host is its host.

export interface HostRefusal {
  /** The host that refused, as the hub names its connection. */
  hostId: string;
  error: string;
}

/** What a refusal does to its run, given the host recorded for it (null: the hub has not answered yet). */
export function refusalEffect(runHostId: string | null, refusal: HostRefusal): "end" | "hold" | "ignore" {
  if (runHostId === null) return "hold";
  return runHostId === refusal.hostId ? "end" : "ignore";
}
