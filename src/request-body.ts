// Request bodies: Hono's body-limit middleware keeps a body over the limit from ever being held (413 with
// our JSON error), then the handler decodes and parses it.
//
// Parsing stays here rather than in Hono's `validator("json")`: that one takes a body without a JSON
// content-type as `{}` and answers malformed JSON with a text 400, where the API promises `{error}`
// for both (docs/api.md).
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { jsonError } from "./http-errors.ts";

/** Refuses a body over `limit` bytes, declared in content-length or not, before the handler reads it. */
export function limitBody(limit: number): MiddlewareHandler {
  return bodyLimit({ maxSize: limit, onError: () => jsonError(413, `request body is larger than ${limit} bytes`) });
}

/** The body parsed as JSON; a body that is not UTF-8 or not JSON is a 400. */
export async function readJson(c: Context): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await c.req.arrayBuffer());
  } catch {
    return { ok: false, response: jsonError(400, "request body is not valid UTF-8") };
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch {
    return { ok: false, response: jsonError(400, "request body is not JSON") };
  }
}
