// One row of `GET /api/hosts` (docs/api.md): a connected agent host, as the Worker lists it and the page
// shows it.

export interface HostSummary {
  id: string;
  /** The kind of agent it runs ("openclaw", "jsonl"), as its hello said; null for a host that did not say. */
  agent: string | null;
  /** Runs the hub has given it that have not ended. */
  runsInUse: number;
  maxRuns: number;
  /** When its current connection said hello (epoch ms). */
  connectedSince: number;
}
