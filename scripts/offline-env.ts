// Wrangler and workerd must never reach out to the network here (metrics, request.cf data) and keep
// their config inside the project, so a fresh clone needs nothing in the user's home directory.
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export function offlineWranglerEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: base.XDG_CONFIG_HOME ?? `${projectRoot}.config`,
  };
}
