// Reads a request body (as text, or as JSON) without ever holding more than `limit` bytes of it.
import { jsonError } from "./http-errors.ts";

export async function readBodyWithLimit(request: Request, limit: number): Promise<{ ok: true; text: string } | { ok: false; response: Response }> {
  const tooLarge = () => ({ ok: false as const, response: jsonError(413, `request body is larger than ${limit} bytes`) });
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return tooLarge();
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, response: jsonError(400, "request body is not valid UTF-8") };
  }
}

/** The body parsed as JSON; a body that is not JSON is a 400. */
export async function readJsonWithLimit(request: Request, limit: number): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  const body = await readBodyWithLimit(request, limit);
  if (!body.ok) return body;
  try {
    return { ok: true, json: JSON.parse(body.text) };
  } catch {
    return { ok: false, response: jsonError(400, "request body is not JSON") };
  }
}
