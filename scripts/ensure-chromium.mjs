// Makes sure Debian's Chromium is at /usr/bin/chromium before the browser tests run.
// The browser suite drives that binary with playwright-core; we never download a browser any
// other way. CI runs as root on a fresh machine, so a missing binary is installed with apt-get.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

if (existsSync(CHROMIUM)) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(
    `${CHROMIUM} is missing and this is not root, so it cannot be installed here.\n` +
      "Install Debian's package first: sudo apt-get update && sudo apt-get install -y chromium",
  );
  process.exit(1);
}

console.log(`${CHROMIUM} is missing: installing Debian's chromium package with apt-get`);
const install = spawnSync("sh", ["-c", "apt-get update && apt-get install -y --no-install-recommends chromium"], {
  stdio: "inherit",
  env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
});
if (install.status !== 0 || !existsSync(CHROMIUM)) {
  console.error(`apt-get could not install chromium (exit ${install.status}); the browser tests need ${CHROMIUM}.`);
  process.exit(1);
}
