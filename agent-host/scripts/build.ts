// `npm run build -w agent-host` (and `npm pack`, through prepack): the host as JavaScript in dist/.
// One ESM file for Node >= 22: our TypeScript and protocol/ are bundled (Node does not strip types
// under node_modules, so a published host cannot be TypeScript); npm dependencies stay imports, so the
// package's `dependencies` are exactly what it loads. openclaw-preload.mjs is imported by openclaw's
// process, not by the host: it is bundled on its own (with the protocol rule it imports) next to the
// host's bundle, where the adapter's PRELOAD_URL finds it.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const dist = `${packageDir}dist`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
const bundle = { bundle: true, packages: "external", platform: "node", format: "esm", target: "node22.12", logLevel: "warning", metafile: true } as const;
const result = await build({
  ...bundle,
  entryPoints: [`${packageDir}src/cli.ts`],
  outfile: `${dist}/cli.js`,
  banner: { js: "#!/usr/bin/env node" },
});
const preload = await build({ ...bundle, entryPoints: [`${packageDir}src/adapters/openclaw-preload.mjs`], outfile: `${dist}/openclaw-preload.mjs` });
// A package the bundle imports but the manifest does not declare would be missing from a user's
// install (in the repository it resolves from the root's node_modules): refuse to build it.
const { dependencies = {} } = JSON.parse(readFileSync(`${packageDir}package.json`, "utf8")) as { dependencies?: Record<string, string> };
const undeclared = new Set([result, preload].flatMap((built) => Object.values(built.metafile.outputs))
  .flatMap((output) => output.imports)
  .filter((entry) => entry.external && !entry.path.startsWith("node:"))
  .map((entry) => entry.path.split("/").slice(0, entry.path.startsWith("@") ? 2 : 1).join("/"))
  .filter((name) => !(name in dependencies)));
if (undeclared.size > 0) {
  throw new Error(`agent-host imports ${[...undeclared].join(", ")}, not in agent-host/package.json's dependencies`);
}
