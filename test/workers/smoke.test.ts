import { env, SELF } from "cloudflare:test";
import { it, expect } from "vitest";
it("runs", async () => {
  const r = await SELF.fetch("https://x/");
  expect(await r.text()).toBe("x");
  expect(env.RELAY_TOKEN).toBe("test-relay-token");
});
