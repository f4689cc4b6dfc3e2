// `npm run deploy`: the relay on your Cloudflare account in one command. In this order, so nothing is
// half-deployed: checks that every secret wrangler.jsonc requires (`secrets.required`) is set on the
// account (`wrangler secret list`), offering to run `wrangler secret put` for a missing one when a person
// is at the terminal; builds the page; then `wrangler deploy`. A missing secret stops it before the build
// and any upload.
//
//   npm run deploy                            check, build, deploy
//   npm run deploy -- --dry-run --outdir dir  check, build, and wrangler's dry run (bundle to dir, no upload)
import { spawnSync, type StdioOptions } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { isWorkerNotFound, missingSecrets, missingSecretsMessage, parseSecretList, secretPutCommand } from "./deploy-secrets.ts";
import { wranglerCommand } from "./wrangler-bin.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const configPath = join(root, "wrangler.jsonc");

const { values: options } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    outdir: { type: "string" },
  },
});

function wrangler(args: string[], stdio: StdioOptions = "inherit") {
  const { command, args: commandArgs } = wranglerCommand(args);
  return spawnSync(command, commandArgs, { cwd: root, encoding: "utf8", stdio });
}

function fail(message: string): never {
  console.error(`\n${message}`);
  process.exit(1);
}

/** The secret names on the account; a Worker that does not exist yet (a first deploy) has none. */
function listSecrets(worker: string): { names: string[]; workerExists: boolean } {
  console.log(`Checking the secrets of the Worker "${worker}" on your Cloudflare account...`);
  const result = wrangler(["secret", "list", "--format", "json"], ["inherit", "pipe", "pipe"]);
  const output = `${result.stdout}${result.stderr}`;
  if (result.status === 0) {
    try {
      return { names: parseSecretList(result.stdout), workerExists: true };
    } catch (error) {
      fail(`\`wrangler secret list\` printed something unexpected, nothing was deployed: ${(error as Error).message}`);
    }
  }
  if (isWorkerNotFound(output)) return { names: [], workerExists: false };
  fail(`\`wrangler secret list\` failed (not logged in? run \`npx wrangler login\`), nothing was deployed:\n${output.trim()}`);
}

async function ask(question: string): Promise<string> {
  // A fresh interface per question, closed before wrangler runs: its hidden-value prompt gets the terminal.
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

/** Offers, one by one, to run `wrangler secret put` for each missing secret; true if any ran. */
async function offerSecretPut(missing: readonly string[]): Promise<boolean> {
  let ran = false;
  for (const name of missing) {
    if (/^n/i.test((await ask(`Run \`${secretPutCommand(name)}\` now? [Y/n] `)).trim())) continue;
    wrangler(["secret", "put", name]);
    ran = true;
  }
  return ran;
}

const config = unstable_readConfig({ config: configPath });
if (!config.name) fail("wrangler.jsonc has no Worker name.");
const worker = config.name;
const required = config.secrets?.required ?? [];

let account = listSecrets(worker);
let missing = missingSecrets(required, account.names);
const interactive = process.stdin.isTTY && process.stdout.isTTY;
if (missing.length > 0 && interactive) {
  console.log(missingSecretsMessage(worker, missing, account.workerExists));
  // Whatever was run, the account is asked again: only what it reports counts.
  if (await offerSecretPut(missing)) {
    account = listSecrets(worker);
    missing = missingSecrets(required, account.names);
  }
}
if (missing.length > 0) {
  fail(`${missingSecretsMessage(worker, missing, account.workerExists)}\nNothing was built or deployed; run \`npm run deploy\` again once the secrets are set.`);
}
if (required.length > 0) console.log(`Secrets ${required.join(" and ")} are set.`);

if (spawnSync("npm", ["run", "build:web"], { cwd: root, stdio: "inherit" }).status !== 0) fail("Building the page failed; nothing was deployed.");

const deployArgs = ["deploy", "--config", configPath];
if (options["dry-run"]) deployArgs.push("--dry-run");
if (options.outdir) deployArgs.push("--outdir", options.outdir);
const deployed = wrangler(deployArgs);
if (deployed.status !== 0) fail("`wrangler deploy` failed.");
