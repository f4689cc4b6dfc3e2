// Readable error messages out of what the agent reports: event fields, provider error bodies, stderr.
// Same rules as the reference (openclaw's agent-runner helpers).
import { isRecord } from "./json.ts";

/** "402 {"error":{"message":"Insufficient funds"}}" -> "Insufficient funds"; anything else unchanged. */
export function parseErrorBody(raw: string): string {
  const jsonStart = raw.indexOf("{");
  if (jsonStart >= 0) {
    try {
      const body: unknown = JSON.parse(raw.slice(jsonStart));
      const error = isRecord(body) ? body.error : undefined;
      const message = (isRecord(error) ? error.message : undefined) ?? (isRecord(body) ? body.message : undefined) ?? error;
      if (typeof message === "string") return message;
    } catch {
      // Not a JSON body: the raw text is the message.
    }
  }
  return raw;
}

/** The message of an error event's data: `error`, else `message`, else `errorMessage`. */
export function agentErrorMessage(data: Record<string, unknown>): string | undefined {
  for (const key of ["error", "message", "errorMessage"]) {
    const value = data[key];
    if (typeof value === "string" && value.trim()) return parseErrorBody(value);
  }
  return undefined;
}

const ANSI_ESCAPE = /\x1B\[[0-9;]*[A-Za-z]/g;
const ERROR_WORD = /\b(error|failed|fatal)\b/i;
const MAX_LAST_LINE_CHARS = 300;

/**
 * A recognisable error in the agent's stderr: a provider's JSON error message, else the first line
 * saying error/failed/fatal (without a "[tag]" or "Error:" prefix), else a short last line.
 */
export function errorFromStderr(stderr: string): string | undefined {
  const lines = stderr.replace(ANSI_ESCAPE, "").split("\n").map((line) => line.trim()).filter(Boolean);
  const text = lines.join("\n");
  const fromJson = jsonErrorMessage(text);
  if (fromJson) return fromJson;
  for (const line of lines) {
    if (!ERROR_WORD.test(line)) continue;
    const stripped = line.replace(/^\[.*?\]\s*/, "").replace(/^Error:\s*/i, "");
    if (stripped.length > 5) return stripped;
  }
  const last = lines.at(-1);
  return last && last.length <= MAX_LAST_LINE_CHARS ? last : undefined;
}

const ERROR_OBJECT = '{"error":{';
const MESSAGE_KEY = '"message":"';

/**
 * What /\{"error":\{[^}]*"message":"([^"]+)"[^}]*\}/ finds: after an error object's opening, the last
 * "message" key before the first `}`, its value up to the next quote. Hand-written because that regex
 * backtracks from every opening: 200 KB of `{"error":{"message":"` took minutes. Every opening before
 * the same `}` shares one answer, computed once, so the scan is linear in the text.
 */
function jsonErrorMessage(text: string): string | undefined {
  let objectEnd = -1;
  let key = -1;
  let value: string | undefined;
  for (let start = text.indexOf(ERROR_OBJECT); start >= 0; start = text.indexOf(ERROR_OBJECT, start + 1)) {
    const inside = start + ERROR_OBJECT.length;
    if (objectEnd < inside) {
      objectEnd = text.indexOf("}", inside);
      if (objectEnd < 0) return undefined;
      const at = text.slice(inside, objectEnd).lastIndexOf(MESSAGE_KEY);
      key = at < 0 ? -1 : inside + at;
      const valueEnd = key < 0 ? -1 : text.indexOf('"', key + MESSAGE_KEY.length);
      value = valueEnd > key + MESSAGE_KEY.length && valueEnd < objectEnd ? text.slice(key + MESSAGE_KEY.length, valueEnd) : undefined;
    }
    if (key >= inside && value !== undefined) return value;
  }
  return undefined;
}
