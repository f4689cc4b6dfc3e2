// Authentication at the edge: browsers present RELAY_TOKEN, agent hosts HOST_TOKEN, both as
// `Authorization: Bearer <token>`. A Worker deployed without its secrets refuses every API call
// (500, saying which secret is missing) instead of running open.
import type { MiddlewareHandler } from "hono";
import { jsonError } from "./http-errors.ts";

type TokenName = "RELAY_TOKEN" | "HOST_TOKEN";

export function requireToken(name: TokenName): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const missing = (["RELAY_TOKEN", "HOST_TOKEN"] as const).filter((secret) => !c.env[secret]);
    if (missing.length > 0) {
      return jsonError(500, `agent-relay is not configured: set the ${missing.join(" and ")} secret${missing.length > 1 ? "s" : ""}`);
    }
    const presented = bearerToken(c.req.header("authorization"));
    if (presented === null) return jsonError(401, "missing Authorization: Bearer <token> header");
    if (!(await tokensEqual(presented, c.env[name]!))) return jsonError(401, "invalid token");
    await next();
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1]! : null;
}

/** Compares digests in constant time, so response timing says nothing about the token. */
async function tokensEqual(presented: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
