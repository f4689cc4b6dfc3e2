import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { offlineWranglerEnv } from "./scripts/offline-env.ts";

// The workers project's tokens. wrangler.jsonc requires them as secrets, and wrangler looks for required
// secrets in process.env when there is no .dev.vars (warning once per test file otherwise); the bindings
// below set them either way. `wrangler dev` in the e2e tests gets its own tokens with --var, which win.
const TEST_SECRETS = { RELAY_TOKEN: "test-relay-token", HOST_TOKEN: "test-host-token" };

Object.assign(process.env, offlineWranglerEnv(process.env), TEST_SECRETS);

// Three projects, run one after the other (sequence.groupOrder) so timing-sensitive suites never share
// the machine's two cores with another suite: "workers" inside workerd (the Worker, the Durable Objects
// and the pure modules they use), "node" (the agent host, page logic), "e2e" (the whole system:
// `wrangler dev`, the agent host process, a fixture agent, Chromium).
//
// Within the workers and node projects, files run on every core: their tests mostly wait (on workerd,
// timers, child processes), and vitest's default (cores - 1) ran them one file at a time on 2 cores,
// 165 s of the suite where two at a time take 90 s.
export default defineConfig({
  test: {
    maxWorkers: availableParallelism(),
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: {
              // Short grace periods so host-loss and compaction tests run in seconds, not minutes.
              bindings: {
                ...TEST_SECRETS,
                HOST_GRACE_MS: "4000",
                RUN_GRACE_MS: "2000",
                KEEPALIVE_MS: "300",
              },
            },
          }),
        ],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      {
        test: {
          name: "node",
          include: ["agent-host/test/**/*.test.ts", "test/node/**/*.test.ts"],
          environment: "node",
          sequence: { groupOrder: 1 },
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
          // Browser tests that wait on paced agents run side by side within their file (describe.concurrent),
          // three at a time: six Chromium pages with their agents overloaded 2 cores, and a tab opened
          // mid-answer once loaded only as the answer ended.
          maxConcurrency: 3,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
