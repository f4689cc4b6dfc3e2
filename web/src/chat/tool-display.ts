// How a tool call's input and output read on the page. The translator hands over tool output as
// `{ text, ...details }` (src/translate/tool-output.ts): the text is what a person reads, the
// details stay one click away.

/** Pretty JSON for anything that is not already text. */
export function displayValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2) ?? String(value);
}

export function toolOutputDisplay(output: unknown): { text: string; details: string | null } {
  if (output === null || typeof output !== "object" || Array.isArray(output)) {
    return { text: displayValue(output), details: null };
  }
  const { text, ...details } = output as Record<string, unknown>;
  const hasDetails = Object.keys(details).length > 0;
  if (typeof text !== "string") return { text: displayValue(output), details: null };
  return { text, details: hasDetails ? displayValue(details) : null };
}
