// openclaw's assistant and thinking events carry, beside each `delta`, the whole text so far in
// `data.text`:
//
//   {"event":"agent","stream":"assistant","data":{"text":"The file says","delta":" says","itemId":"..."},...}
//
// so an answer of n deltas costs O(n²) bytes: a 30 KB answer of ~7,500 tokens would send ~110 MB from
// the host to the relay, more than many home uplinks carry while the model writes. The edge reads
// `text` only from an assistant event that replaces the item's text (`replace: true`); from every other
// assistant or thinking event it reads `delta` (src/translate/translator.ts, `#assistant`, `#thinking`).
// So the host's openclaw adapters leave the running text out of an event that has a `delta`, and the
// edge translates the lines exactly as it would have. An event whose `text` is the whole text (no
// `delta`, or `replace`) keeps it. So does nothing else: openclaw's CLI backends mark every thinking
// event a reasoning snapshot (`isReasoningSnapshot`), a whole text beside each delta, and the edge
// reads the delta of those too.

/** The streams whose events carry the running text. */
const RUNNING_TEXT_STREAMS: readonly string[] = ["assistant", "thinking"];

/** The event without its running text, when its `delta` says what is new. */
export function withoutRunningText(event: Record<string, unknown>): Record<string, unknown> {
  const data = event.data;
  if (typeof event.stream !== "string" || !RUNNING_TEXT_STREAMS.includes(event.stream)) return event;
  if (typeof data !== "object" || data === null || Array.isArray(data) || !("text" in data)) return event;
  const { text: _runningText, ...rest } = data as Record<string, unknown>;
  if (typeof rest.delta !== "string" || rest.replace === true) return event;
  return { ...event, data: rest };
}
