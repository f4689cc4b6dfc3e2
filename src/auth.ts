// Authentication at the edge: browsers present RELAY_TOKEN, agent hosts HOST_TOKEN, both as
// `Authorization: Bearer <token>` (Hono's bearer-auth: RFC 6750 token syntax, constant-time compare of
// digests). A Worker deployed without its secrets refuses every API call (500, saying which secret is
// missing) instead of running open.
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { jsonError } from "./http-errors.ts";

type TokenName = "RELAY_TOKEN" | "HOST_TOKEN";

// A header that is not `Bearer <token>` counts as missing: 401 like no header at all (bearer-auth's
// default for it would be 400 "Bad Request").
const missingHeader = () => jsonError(401, "missing Authorization: Bearer <token> header");
const invalidToken = () => jsonError(401, "invalid token");

export function requireToken(name: TokenName): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const missing = (["RELAY_TOKEN", "HOST_TOKEN"] as const).filter((secret) => !c.env[secret]);
    if (missing.length > 0) {
      return jsonError(500, `agent-relay is not configured: set the ${missing.join(" and ")} secret${missing.length > 1 ? "s" : ""}`);
    }
    const checkToken = bearerAuth<{ Bindings: Env }>({
      token: c.env[name]!,
      noAuthenticationHeader: { message: missingHeader },
      invalidAuthenticationHeader: { message: missingHeader },
      invalidToken: { message: invalidToken },
    });
    try {
      await checkToken(c, next);
    } catch (error) {
      // bearer-auth throws its refusal; answering it here keeps the app's onError for real failures.
      // (Errors of later handlers never arrive here: Hono hands them to onError where they happen.)
      if (error instanceof HTTPException) return error.getResponse();
      throw error;
    }
  };
}
