// Issue 12: the page resumes with only what it missed. The page is loaded through the proxy, which
// counts the bytes of every answer it passes on; an answer whose stream is cut three times must still
// end exact, and cost the page about what the same answer costs uncut, not a replay from its first
// word per cut. After a reload, the page goes on from what the loaded history already shows.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAnswerShownOnce, sendMessage, waitForWords, watchAnswerUntil, words } from "../../support/browser.ts";
import { sayingAgent, useBrowserSuite } from "../../support/browser-suite.ts";
import type { ProxiedRequest } from "../../support/tcp-proxy.ts";

const WORD_DELAY_MS = 10;
// 3.2 s of answer: a quarter of it (0.8 s) outlasts the page's 0.5 s wait before its first resume
// (web/src/chat/reconnect-delay.ts), so each of the three cuts lands while the answer still streams.
const WORDS = 320;
const suite = useBrowserSuite({ agentCommand: sayingAgent(WORD_DELAY_MS) });

/** The requests for a session's run streams (the POST that starts it, the resumes) since `from`. */
function streamRequests(sessionId: string, from: number): ProxiedRequest[] {
  return suite.proxy.requests
    .slice(from)
    .filter((request) => (request.method === "POST" && request.path === "/api/chat") || request.path === `/api/chat/${sessionId}/stream`);
}

/** A chat page opened through the proxy, once its mount-time resume (a 204: no run yet) is done. */
async function chatPage(): Promise<{ page: Page; sessionId: string }> {
  const opened = await suite.newChatPage({ throughProxy: true });
  await expect.poll(() => suite.proxy.requests.some((request) => request.path === `/api/chat/${opened.sessionId}/stream`)).toBe(true);
  await opened.page.waitForTimeout(200);
  return opened;
}

const bytesOf = (requests: ProxiedRequest[]) => requests.reduce((sum, request) => sum + request.bytesToClient, 0);

/**
 * What the answer of WORDS words costs the page with nothing cut: a fresh chat, through the same proxy.
 * Measured once, by whichever test asks first; both tests compare against it.
 */
let uncutMeasured: Promise<number> | null = null;
function uncutBytes(): Promise<number> {
  uncutMeasured ??= measureUncutBytes(words(WORDS));
  return uncutMeasured;
}

async function measureUncutBytes(text: string): Promise<number> {
  const { page, sessionId } = await chatPage();
  const from = suite.proxy.requests.length;
  await sendMessage(page, text);
  await watchAnswerUntil(page, text);
  await expectAnswerShownOnce(page, text, 1);
  await page.context().close();
  const requests = streamRequests(sessionId, from);
  expect(requests.map((request) => request.method)).toEqual(["POST"]);
  return bytesOf(requests);
}

describe("the chat page resumes with only what it missed", () => {
  it("an answer cut three times mid-stream ends exact, and the page receives at most 1.1x its size", async () => {
    const text = words(WORDS);
    const uncut = await uncutBytes();

    const { page, sessionId } = await chatPage();
    const from = suite.proxy.requests.length;
    await sendMessage(page, text);
    for (const quarter of [1, 2, 3]) {
      await waitForWords(page, (WORDS * quarter) / 4);
      expect(suite.proxy.cutAll()).toBeGreaterThan(0);
    }
    await watchAnswerUntil(page, text, 60_000);
    await expectAnswerShownOnce(page, text, 1);

    const requests = streamRequests(sessionId, from);
    const resumes = requests.filter((request) => request.method === "GET");
    expect(resumes.length).toBeGreaterThanOrEqual(3);
    const ratio = bytesOf(requests) / uncut;
    console.log(`cut three times: ${bytesOf(requests)} bytes over ${requests.length} requests; uncut: ${uncut} bytes; ratio ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThanOrEqual(1.1);
    // Every resume names the last event the page applied.
    for (const resume of resumes) expect(resume.lastEventId ?? "none").toMatch(/^\d+$/);
    await page.context().close();
  });

  it("after a reload mid-answer, resumes after what the loaded answer already holds", async () => {
    const text = words(WORDS);
    const uncut = await uncutBytes();

    const { page, sessionId } = await chatPage();
    await sendMessage(page, text);
    await waitForWords(page, WORDS / 2);
    const from = suite.proxy.requests.length;
    await page.reload();
    await watchAnswerUntil(page, text, 60_000);
    await expectAnswerShownOnce(page, text, 1);

    const resumes = streamRequests(sessionId, from);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    // Half the answer was on the page before the reload; the resume brings (about) the other half.
    const ratio = bytesOf(resumes) / uncut;
    console.log(`after a reload at half the answer: ${bytesOf(resumes)} bytes; uncut: ${uncut} bytes; ratio ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThan(0.7);
    expect(resumes[0]!.lastEventId ?? "none").toMatch(/^\d+$/);
    await page.context().close();
  });
});
