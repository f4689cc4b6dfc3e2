// The chat page in Chromium when an answer is interrupted: the person presses Stop, or the network
// between the browser and the relay goes away for a while (every connection through the proxy is cut,
// and new ones too, until it comes back).
import { describe, it } from "vitest";
import {
  expectAnswerShownOnce,
  expectGrowingAnswer,
  lastAnswerText,
  runningMarker,
  sendButton,
  sendMessage,
  stopButton,
  waitForWords,
  watchAnswerUntil,
  words,
} from "../../support/browser.ts";
import { sayingAgent, useBrowserSuite } from "../../support/browser-suite.ts";

const WORD_DELAY_MS = 40;
const suite = useBrowserSuite({ agentCommand: sayingAgent(WORD_DELAY_MS) });

// The two tests run at the same time: only the second one's page goes through the proxy it cuts.
describe.concurrent("the chat page, interrupted answers", () => {
  it("Stop ends the answer where it is, keeps it, and the page can send again", async ({ expect }) => {
    const { page } = await suite.newChatPage();
    const text = words(200);
    await sendMessage(page, text);
    await waitForWords(page, 8);
    await stopButton(page).click();
    await sendButton(page).waitFor({ timeout: 5_000 });
    const partial = await lastAnswerText(page);
    expect(partial.length).toBeGreaterThan(0);
    expect(text.startsWith(partial) && partial.length < text.length).toBe(true);

    // Nothing more arrives: not from the stopped stream, nor when the page next refreshes the chat
    // list (every 4 s) and sees the run ended. At 40 ms a word, ~110 more words would have come.
    await page.waitForTimeout(4_500);
    expect(await lastAnswerText(page)).toBe(partial);
    expect(await page.getByRole("alert").count()).toBe(0);
    // ...and the chat list, refreshed by then, no longer says the run is going.
    await runningMarker(page).waitFor({ state: "hidden", timeout: 4_000 });

    // After a reload the partial answer is still there, as the relay kept it.
    await page.reload();
    await expect.poll(() => lastAnswerText(page)).toBe(partial);

    await sendMessage(page, "after the stop");
    await watchAnswerUntil(page, "after the stop");
    await expectAnswerShownOnce(page, "after the stop", 2);
    await page.context().close();
  });

  it("shows that it is reconnecting while the network is away, then finishes the answer exactly once", async ({ expect }) => {
    // The page is loaded through the proxy, so its streams run through it.
    const { page } = await suite.newChatPage({ throughProxy: true });
    const text = words(100);
    await sendMessage(page, text);
    await waitForWords(page, 8);

    const reconnecting = page.getByText("Reconnecting…");
    expect(await reconnecting.isVisible()).toBe(false);
    // Two seconds without network: every connection is reset, including the page's attempts to resume.
    const outageEnds = Date.now() + 2_000;
    const outage = (async () => {
      while (Date.now() < outageEnds) {
        suite.proxy.cutAll();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await reconnecting.waitFor({ state: "visible", timeout: 2_000 });
    const duringOutage = await lastAnswerText(page);
    await outage;

    const seen = await watchAnswerUntil(page, text);
    expect(duringOutage.length).toBeLessThan(text.length);
    expectGrowingAnswer([duringOutage, ...seen], text, 1);
    await reconnecting.waitFor({ state: "hidden", timeout: 2_000 });
    await expectAnswerShownOnce(page, text, 1);
    await page.context().close();
  });
});
