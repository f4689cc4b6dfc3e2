// The chat page in Chromium showing an answer with a tool call: the fixture agent replays a captured
// openclaw run (a shell command with live output, then text). The message names the capture to
// replay. Screenshots of the finished answer at desktop and phone sizes are saved to
// artifacts/screenshots/ for people to look at.
import { join } from "node:path";
import type { BrowserContextOptions } from "playwright-core";
import { describe, it } from "vitest";
import { FIXTURE_AGENT } from "../../support/agent-host-process.ts";
import {
  agentMessages,
  DESKTOP,
  lastAnswerText,
  PHONE,
  runningMarker,
  saveScreenshot,
  sendButton,
  sendMessage,
  waitForBrief,
  watchAnswerUntil,
} from "../../support/browser.ts";
import { useBrowserSuite } from "../../support/browser-suite.ts";
import { PROJECT_ROOT } from "../../support/wrangler-dev.ts";

const CAPTURES = join(PROJECT_ROOT, "test/fixtures/openclaw-events");
const suite = useBrowserSuite({
  agentCommand: [process.execPath, FIXTURE_AGENT, "--file", "{message}", "--delay", "100"],
  hostArgs: ["--cwd", CAPTURES],
});

// The words before the tool call, then the answer after it (the tool card stands between them).
const ANSWER = "Let me read the file. The file says hello from the fake server.";

// Desktop and phone run at the same time, each in its own chat and tab.
describe.concurrent("the chat page, an answer with a tool call", () => {
  const sizes: [string, BrowserContextOptions][] = [["desktop", DESKTOP], ["phone", PHONE]];
  for (const [name, size] of sizes) {
    it(`shows the words before the tool call, its name, live output and result, then the answer (${name})`, async ({ expect }) => {
      const { page } = await suite.newChatPage({ size });
      await sendMessage(page, "exec-tool.jsonl");
      const toolCall = page.getByRole("region", { name: "Tool call exec" });
      // While the command runs, its output so far is already on the page.
      await waitForBrief(toolCall.filter({ hasText: "running" }).filter({ hasText: "hi from exec" }));
      await watchAnswerUntil(page, ANSWER);
      await toolCall.filter({ hasText: "done" }).waitFor();
      expect(await toolCall.locator(".tool-output").innerText()).toBe("hi from exec");
      // The run is over: Send is back, and the chat list no longer marks it running.
      await sendButton(page).waitFor();
      await page.getByText("The agent is answering…").waitFor({ state: "hidden" });
      await runningMarker(page).waitFor({ state: "hidden" });
      expect(await agentMessages(page).count()).toBe(1);
      expect(await lastAnswerText(page)).toBe(ANSWER);
      await saveScreenshot(page, `tool-call-${name}`);
      await page.context().close();
    });
  }
});
