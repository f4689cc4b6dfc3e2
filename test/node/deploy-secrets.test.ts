// The secret check of `npm run deploy` (scripts/deploy-secrets.ts): from what `wrangler secret list
// --format json` prints, which required secrets are missing, and the exact commands the user is told to run.
import { describe, expect, it } from "vitest";
import { isWorkerNotFound, missingSecrets, missingSecretsMessage, parseSecretList } from "../../scripts/deploy-secrets.ts";

const REQUIRED = ["RELAY_TOKEN", "HOST_TOKEN"];
// The shape wrangler 4 prints (JSON.stringify of the API's list, two-space indent).
const wranglerList = (...names: string[]) => JSON.stringify(names.map((name) => ({ name, type: "secret_text" })), null, "  ");

describe("deploy secret check", () => {
  it("finds the required secrets absent from the account's list, in the config's order", () => {
    expect(missingSecrets(REQUIRED, parseSecretList(wranglerList("HOST_TOKEN", "RELAY_TOKEN")))).toEqual([]);
    expect(missingSecrets(REQUIRED, parseSecretList(wranglerList("RELAY_TOKEN", "OTHER")))).toEqual(["HOST_TOKEN"]);
    expect(missingSecrets(REQUIRED, parseSecretList(wranglerList("HOST_TOKEN")))).toEqual(["RELAY_TOKEN"]);
    expect(missingSecrets(REQUIRED, parseSecretList("[]"))).toEqual(["RELAY_TOKEN", "HOST_TOKEN"]);
    // A name differing only in case is another secret.
    expect(missingSecrets(REQUIRED, parseSecretList(wranglerList("relay_token", "HOST_TOKEN")))).toEqual(["RELAY_TOKEN"]);
  });

  it("prints the exact `npx wrangler secret put` for each missing secret, and only for those", () => {
    const one = missingSecretsMessage("agent-relay", ["HOST_TOKEN"]);
    expect(one).toContain('The Worker "agent-relay" is missing the secret HOST_TOKEN');
    expect(one.split("\n").filter((line) => line.includes("wrangler secret put"))).toEqual(["  npx wrangler secret put HOST_TOKEN"]);

    const both = missingSecretsMessage("my-relay", ["RELAY_TOKEN", "HOST_TOKEN"]);
    expect(both).toContain('The Worker "my-relay" is missing the secrets RELAY_TOKEN and HOST_TOKEN');
    expect(both.split("\n").filter((line) => line.includes("wrangler secret put"))).toEqual([
      "  npx wrangler secret put RELAY_TOKEN",
      "  npx wrangler secret put HOST_TOKEN",
    ]);
    expect(both).not.toContain("does not exist yet");

    // A first deploy: the Worker is not on the account yet, and `wrangler secret put` will offer to create it.
    expect(missingSecretsMessage("agent-relay", ["RELAY_TOKEN", "HOST_TOKEN"], false)).toContain('The Worker does not exist yet: the first `wrangler secret put` offers to create it');
  });

  it("refuses output that is not wrangler's secret list, saying what it got", () => {
    expect(() => parseSecretList("You are not authenticated")).toThrow(/expected the JSON list .* got: You are not authenticated/);
    expect(() => parseSecretList("")).toThrow(/got: \(nothing\)/);
    expect(() => parseSecretList('{"name":"RELAY_TOKEN"}')).toThrow(/JSON array/);
    expect(() => parseSecretList('[{"type":"secret_text"}]')).toThrow(/secret 0 .* no name/);
  });

  it("tells a Worker that does not exist yet (a first deploy) from other failures of `wrangler secret list`", () => {
    expect(isWorkerNotFound('✘ [ERROR] Worker "agent-relay" not found.\n\nIf this is a new Worker, run `wrangler deploy` first')).toBe(true);
    expect(isWorkerNotFound('✘ [ERROR] Worker "agent-relay" (env: staging) not found.')).toBe(true);
    expect(isWorkerNotFound("✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN")).toBe(false);
  });
});
