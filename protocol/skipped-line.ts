// The line that stands in for an agent line nobody should carry (over MAX_LINE_BYTES, or, from an adapter,
// holding a "\n", which would end it on the wire): the host puts it
// in the run's sequence in place of the line, the edge does the same for a line that slipped past, and
// the translator counts it as skipped. Same shape as the agent's own lines, so it keeps its seq.

export function skippedLineMarker(reason: "line-too-long" | "line-has-newline", bytes: number): string {
  return JSON.stringify({ event: "relay", stream: "skipped", data: { reason, bytes } });
}
