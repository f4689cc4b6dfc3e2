import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { offlineWranglerEnv } from "./scripts/offline-env.ts";

Object.assign(process.env, offlineWranglerEnv(process.env));

// Two projects: "workers" runs inside workerd (the Worker, the Durable Objects and the pure modules
// they use); "node" runs the agent host and the end-to-end suites that start `wrangler dev`.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Short grace periods so host-loss and compaction tests run in seconds, not minutes.
              bindings: {
                RELAY_TOKEN: "test-relay-token",
                HOST_TOKEN: "test-host-token",
                HOST_GRACE_MS: "4000",
                RUN_GRACE_MS: "2000",
              },
            },
          }),
        ],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"] },
      },
      {
        test: {
          name: "node",
          include: ["agent-host/test/**/*.test.ts", "test/node/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
