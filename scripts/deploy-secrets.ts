// The secret check behind `npm run deploy`, as plain functions: which of the secrets wrangler.jsonc
// requires (`secrets.required`) are missing from what `wrangler secret list --format json` printed, and
// what to tell the user. No I/O, so it is tested without a Cloudflare account.

/** The names in `wrangler secret list --format json` output (`[{ "name": "X", "type": "secret_text" }]`). */
export function parseSecretList(json: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`expected the JSON list \`wrangler secret list --format json\` prints, got: ${json.trim().slice(0, 200) || "(nothing)"}`);
  }
  if (!Array.isArray(parsed)) throw new Error("expected a JSON array of secrets from `wrangler secret list --format json`");
  return parsed.map((secret: unknown, index) => {
    const name = (secret as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") throw new Error(`secret ${index} in the secret list has no name`);
    return name;
  });
}

/** `wrangler secret list` failing because no Worker of that name exists yet (a first deploy): no secrets. */
export function isWorkerNotFound(wranglerOutput: string): boolean {
  return /Worker "[^"]+"(?: \(env: [^)]+\))? not found/.test(wranglerOutput);
}

/** The required secrets absent from the account, in the order the config declares them. */
export function missingSecrets(required: readonly string[], present: readonly string[]): string[] {
  return required.filter((name) => !present.includes(name));
}

/** The exact command that sets one secret (wrangler then asks for its value, hidden). */
export function secretPutCommand(name: string): string {
  return `npx wrangler secret put ${name}`;
}

/**
 * What `npm run deploy` prints when secrets are missing: which ones, and the command for each.
 * `workerExists` false: a first deploy, where `wrangler secret put` first offers to create the Worker.
 */
export function missingSecretsMessage(worker: string, missing: readonly string[], workerExists = true): string {
  const plural = missing.length > 1 ? "s" : "";
  return [
    `The Worker "${worker}" is missing the secret${plural} ${missing.join(" and ")} on your Cloudflare account;`,
    `without ${missing.length > 1 ? "them" : "it"} every API call would answer 500. Set ${missing.length > 1 ? "each" : "it"} with (wrangler asks for the value):`,
    ...missing.map((name) => `  ${secretPutCommand(name)}`),
    ...(workerExists
      ? []
      : [`The Worker does not exist yet: the first \`wrangler secret put\` offers to create it (empty) to hold the secret; the deploy then fills it.`]),
  ].join("\n");
}
