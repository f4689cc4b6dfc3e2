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
const JSON_ERROR_MESSAGE = /\{"error":\{[^}]*"message":"([^"]+)"[^}]*\}/;
const ERROR_WORD = /\b(error|failed|fatal)\b/i;
const MAX_LAST_LINE_CHARS = 300;

/**
 * A recognisable error in the agent's stderr: a provider's JSON error message, else the first line
 * saying error/failed/fatal (without a "[tag]" or "Error:" prefix), else a short last line.
 */
export function errorFromStderr(stderr: string): string | undefined {
  const lines = stderr.replace(ANSI_ESCAPE, "").split("\n").map((line) => line.trim()).filter(Boolean);
  const text = lines.join("\n");
  const fromJson = JSON_ERROR_MESSAGE.exec(text)?.[1];
  if (fromJson) return fromJson;
  for (const line of lines) {
    if (!ERROR_WORD.test(line)) continue;
    const stripped = line.replace(/^\[.*?\]\s*/, "").replace(/^Error:\s*/i, "");
    if (stripped.length > 5) return stripped;
  }
  const last = lines.at(-1);
  return last && last.length <= MAX_LAST_LINE_CHARS ? last : undefined;
}
