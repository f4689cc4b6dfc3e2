// How every script and test runs the project's wrangler: its own entry (node_modules/wrangler) with this
// Node (the project's Node 24 under npm), whatever `node` or `wrangler` is first on PATH.
import { fileURLToPath } from "node:url";

const WRANGLER_ENTRY = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));

/** The command and arguments that run the project's wrangler with `args`. */
export function wranglerCommand(args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [WRANGLER_ENTRY, ...args] };
}
