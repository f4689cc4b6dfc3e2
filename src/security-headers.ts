// Headers on every browser-facing API response (the page's own headers are in web/public/_headers,
// which the static-asset server applies). An API response is data, never a document: it may not be
// framed, run or sniffed into one, and it names no referrer.
import { secureHeaders } from "hono/secure-headers";

export const apiSecurityHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  xContentTypeOptions: true,
  // The rest of secureHeaders' defaults (HSTS, CORP same-origin, COOP, ...) suit an API too.
});
