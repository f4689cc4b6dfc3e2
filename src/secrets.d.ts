// Worker secrets (`.dev.vars` locally, `wrangler secret put` when deployed). `wrangler types` only
// sees secrets present in .dev.vars, so they are declared here; both may be missing, which the
// auth middleware turns into a clear 500 rather than an open relay.
declare namespace Cloudflare {
  interface Env {
    RELAY_TOKEN?: string;
    HOST_TOKEN?: string;
  }
}
interface Env {
  RELAY_TOKEN?: string;
  HOST_TOKEN?: string;
}
