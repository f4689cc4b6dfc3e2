// The chat page in Chromium against `wrangler dev`, the real agent host and a fixture agent that
// answers the message back word by word: what a person sees while the answer streams, across a
// reload, in a second tab, and when coming back to a chat later.
import { describe, it } from "vitest";
import {
  agentMessages,
  expectAnswerShownOnce,
  expectGrowingAnswer,
  lastAnswerText,
  openSessionId,
  runningMarker,
  sendButton,
  sendMessage,
  waitForBrief,
  waitForWords,
  watchAnswerUntil,
  words,
} from "../../support/browser.ts";
import { sayingAgent, useBrowserSuite } from "../../support/browser-suite.ts";

const WORD_DELAY_MS = 40;
// The tests run at the same time (each in its own chats and tabs; most of their time is the agent's
// pace and the page's 4 s list refresh), so the host takes as many runs at once as there are tests.
const suite = useBrowserSuite({ agentCommand: sayingAgent(WORD_DELAY_MS), hostArgs: ["--max-runs", "6"] });

describe.concurrent("the chat page, streaming", () => {
  it("shows the answer growing word by word, then the whole answer", async ({ expect }) => {
    const { page } = await suite.newChatPage();
    const text = words(40);
    await sendMessage(page, text);
    const watching = watchAnswerUntil(page, text);
    await waitForBrief(runningMarker(page));
    const seen = await watching;
    expectGrowingAnswer(seen, text, 3);
    await sendButton(page).waitFor();
    await runningMarker(page).waitFor({ state: "hidden" });
    await expectAnswerShownOnce(page, text, 1);
    await page.context().close();
  });

  it("finishes the answer exactly once after a reload in the middle of it", async ({ expect }) => {
    const { page } = await suite.newChatPage();
    // 200 words (8 s), as for the second tab below: the reload must land, and the page re-attach,
    // while the answer still streams, with the other tests loading the machine too.
    const text = words(200);
    await sendMessage(page, text);
    const before = await waitForWords(page, 10);
    expect(before.length).toBeLessThan(text.length);
    await page.reload();
    const seen = await watchAnswerUntil(page, text);
    // Still streaming after the reload: the page re-attached to the live run, not just loaded the end.
    expectGrowingAnswer(seen, text, 3);
    await expectAnswerShownOnce(page, text, 1);
    await page.context().close();
  });

  it("shows the same answer live in a second tab opened on the chat mid-answer", async ({ expect }) => {
    const { page: first, sessionId } = await suite.newChatPage();
    // 200 words (8 s): long enough that the second tab, opened while the other tests load the machine
    // too, still joins mid-answer (with 100, a clean-clone run once saw it open after the answer ended).
    const text = words(200);
    await sendMessage(first, text);
    await waitForWords(first, 5);
    const second = await suite.signedInPage({ path: `/chat/${sessionId}` });
    const [seenFirst, seenSecond] = await Promise.all([watchAnswerUntil(first, text), watchAnswerUntil(second, text)]);
    expectGrowingAnswer(seenFirst, text, 3);
    expectGrowingAnswer(seenSecond, text, 3);
    await Promise.all([expectAnswerShownOnce(first, text, 1), expectAnswerShownOnce(second, text, 1)]);
    await first.context().close();
    await second.context().close();
  });

  it("shows a run started in another tab live in a tab that already has the chat open", async ({ expect }) => {
    const { page: first, sessionId } = await suite.newChatPage();
    await sendMessage(first, "good morning");
    await watchAnswerUntil(first, "good morning");
    const second = await suite.signedInPage({ path: `/chat/${sessionId}` });
    await watchAnswerUntil(second, "good morning");
    // The second tab learns of the new run from the chat list, refreshed every few seconds: the
    // answer is long enough to still be streaming when it does.
    const text = words(160);
    await sendMessage(first, text);
    const [, seenSecond] = await Promise.all([watchAnswerUntil(first, text), watchAnswerUntil(second, text)]);
    expectGrowingAnswer(seenSecond.slice(seenSecond.indexOf("good morning") + 1), text, 3);
    await Promise.all([expectAnswerShownOnce(first, text, 2), expectAnswerShownOnce(second, text, 2)]);
    await first.context().close();
    await second.context().close();
  });

  it("shows the first answer of a new chat live in a tab that opened the chat before it was sent", async ({ expect }) => {
    const { page: first, sessionId } = await suite.newChatPage();
    // The second tab opens the empty chat; the session list has no row for it yet.
    const second = await suite.signedInPage({ path: `/chat/${sessionId}` });
    const text = words(160);
    await sendMessage(first, text);
    const [, seenSecond] = await Promise.all([watchAnswerUntil(first, text), watchAnswerUntil(second, text)]);
    expectGrowingAnswer(seenSecond, text, 3);
    await expectAnswerShownOnce(second, text, 1);
    await first.context().close();
    await second.context().close();
  });

  it("shows the history again after a reload and when the chat is opened from the list", async ({ expect }) => {
    const { page, sessionId } = await suite.newChatPage();
    await sendMessage(page, "history first question");
    await watchAnswerUntil(page, "history first question");
    await sendMessage(page, "and a second one", "Enter");
    await watchAnswerUntil(page, "and a second one");
    const expected = ["history first question", "history first question", "and a second one", "and a second one"];
    const conversation = page.getByRole("region", { name: "Conversation" }).getByRole("article");

    await page.reload();
    await expect.poll(() => conversation.allInnerTexts()).toEqual(expected);

    // Another device: the chat is in the list under its first message; opening it shows it all.
    const other = await suite.signedInPage();
    await other.getByRole("navigation", { name: "Chats" }).getByRole("button", { name: /history first question/ }).click();
    expect(openSessionId(other)).toBe(sessionId);
    const otherConversation = other.getByRole("region", { name: "Conversation" }).getByRole("article");
    await expect.poll(() => otherConversation.allInnerTexts()).toEqual(expected);
    expect(await lastAnswerText(other)).toBe("and a second one");
    expect(await agentMessages(other).count()).toBe(2);
    await page.context().close();
    await other.context().close();
  });
});
