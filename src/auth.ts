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

// RFC 6750's b64token, the only tokens bearer-auth accepts in a header: a secret outside it could never
// be presented, so it is refused as a configuration error instead of as every client's 401.
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

export function requireToken(name: TokenName): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const missing = (["RELAY_TOKEN", "HOST_TOKEN"] as const).filter((secret) => !c.env[secret]);
    if (missing.length > 0) {
      return jsonError(500, `agent-relay is not configured: set the ${missing.join(" and ")} secret${missing.length > 1 ? "s" : ""}`);
    }
    if (!BEARER_TOKEN.test(c.env[name]!)) {
      return jsonError(500, `agent-relay is not configured: the ${name} secret may only use letters, digits and -._~+/ (then =)`);
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
