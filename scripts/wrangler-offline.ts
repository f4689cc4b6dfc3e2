// The project's wrangler for commands that need no account (`npm run types`, and `wrangler types --check`
// in `npm run typecheck`), run offline (scripts/offline-env.ts) with this Node.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { offlineWranglerEnv } from "./offline-env.ts";

const wranglerBin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const result = spawnSync(process.execPath, [wranglerBin, ...process.argv.slice(2)], { stdio: "inherit", env: offlineWranglerEnv(process.env) });
process.exit(result.status ?? 1);
