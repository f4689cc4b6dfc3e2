type Props = {
  /** Agent hosts connected to the relay; undefined until the first health check answers. */
  hostsConnected: number | undefined;
  /** What the open chat is doing, when it is doing something. */
  activity?: string | null;
  reconnecting?: boolean;
};

/** One line: whether an agent host is connected, and what the open chat is doing. */
export function StatusBar({ hostsConnected, activity = null, reconnecting = false }: Props) {
  const hostText =
    hostsConnected === undefined
      ? "Checking for an agent host…"
      : hostsConnected > 0
        ? `Agent host connected${hostsConnected > 1 ? ` (${hostsConnected})` : ""}`
        : "No agent host is connected";
  return (
    <div className="status-bar" role="status" aria-live="polite">
      <span className={`host-state ${hostsConnected ? "host-on" : "host-off"}`}>{hostText}</span>
      {reconnecting ? (
        <span className="reconnecting">Reconnecting…</span>
      ) : (
        activity && <span className="activity">{activity}</span>
      )}
    </div>
  );
}
