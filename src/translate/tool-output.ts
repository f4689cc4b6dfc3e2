// A tool's result as the page shows it. Same rules as the reference (openclaw's agent-runner):
// the result is `{ content: [{ type: "text", text }], details: {...} }`, or a bare string or object.
import type { JSONValue } from "ai";
import { isRecord } from "./json.ts";

type ToolResult = { text?: string; details?: Record<string, unknown> };

/** Details larger than this are not copied into a synthesized `text`. */
const MAX_SYNTHESIZED_TEXT_CHARS = 50_000;

function readToolResult(raw: unknown): ToolResult | undefined {
  if (typeof raw === "string") return raw ? { text: raw } : undefined;
  if (!isRecord(raw)) return undefined;
  const blocks = Array.isArray(raw.content) ? raw.content : undefined;
  const texts = (blocks ?? []).flatMap((block) =>
    isRecord(block) && block.type === "text" && typeof block.text === "string" ? [block.text] : [],
  );
  const text = texts.length > 0 ? texts.join("\n") : undefined;
  const details = isRecord(raw.details) ? raw.details : undefined;
  // Without the usual wrapper the object itself is the payload (e.g. a web tool's { query, results }).
  if (!text && !details && !blocks) return { details: raw };
  return { text, details };
}

/** `{ text, ...details }`: the text blocks joined, every detail kept, text synthesized from details if absent. */
export function toolOutput(raw: unknown): Record<string, JSONValue> {
  const result = readToolResult(raw);
  const output: Record<string, JSONValue> = {};
  if (!result) return output;
  if (result.text) output.text = result.text;
  for (const [key, value] of Object.entries(result.details ?? {})) {
    if (value !== undefined) output[key] = value as JSONValue;
  }
  if (!output.text && result.details) {
    const json = JSON.stringify(result.details);
    if (json.length <= MAX_SYNTHESIZED_TEXT_CHARS) output.text = json;
  }
  return output;
}

/** The error text of a failed tool: its text, else `details.error`, else a generic message. */
export function toolErrorText(raw: unknown): string {
  const result = readToolResult(raw);
  const detailError = result?.details?.error;
  return result?.text || (typeof detailError === "string" && detailError) || "Tool execution failed";
}
