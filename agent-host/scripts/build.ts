// `npm run build -w agent-host` (and `npm pack`, through prepack): the host as JavaScript in dist/.
// One ESM file for Node >= 22: our TypeScript and protocol/ are bundled (Node does not strip types
// under node_modules, so a published host cannot be TypeScript); npm dependencies stay imports, so the
// package's `dependencies` are exactly what it loads. openclaw-preload.mjs is imported by openclaw's
// process, not by the host: it is copied next to the bundle, where the adapter's PRELOAD_URL finds it.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const dist = `${packageDir}dist`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  entryPoints: [`${packageDir}src/cli.ts`],
  outfile: `${dist}/cli.js`,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node22.12",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
copyFileSync(`${packageDir}src/adapters/openclaw-preload.mjs`, `${dist}/openclaw-preload.mjs`);
