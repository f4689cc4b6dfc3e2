// The project's wrangler for commands that need no account (`npm run types`, and `wrangler types --check`
// in `npm run typecheck`), run offline (scripts/offline-env.ts) with this Node.
import { spawnSync } from "node:child_process";
import { offlineWranglerEnv } from "./offline-env.ts";
import { wranglerCommand } from "./wrangler-bin.ts";

const wrangler = wranglerCommand(process.argv.slice(2));
const result = spawnSync(wrangler.command, wrangler.args, { stdio: "inherit", env: offlineWranglerEnv(process.env) });
process.exit(result.status ?? 1);
