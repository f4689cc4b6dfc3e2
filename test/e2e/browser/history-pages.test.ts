// Long histories and many chats in Chromium (issue 9, findings 4 and 12): the page opens a chat at its
// latest messages and loads earlier ones as the person scrolls up; the chat list reaches every chat.
import { describe, expect, it } from "vitest";
import { agentMessages } from "../../support/browser.ts";
import { sayingAgent, useBrowserSuite } from "../../support/browser-suite.ts";

const suite = useBrowserSuite({ agentCommand: sayingAgent(0) });

/** One message and its whole answer, through the API as any client would send it. */
async function chat(sessionId: string, text: string): Promise<void> {
  const response = await fetch(`${suite.relay.url}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${suite.relay.relayToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id: sessionId, messages: [{ id: `u-${crypto.randomUUID()}`, role: "user", parts: [{ type: "text", text }] }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

describe("the chat page with long lists", () => {
  it("finding 4: opens a long chat at its latest messages and loads the earlier ones on scroll up", async () => {
    for (let i = 0; i < 30; i++) await chat("pages-history", `message ${i}`);
    const page = await suite.signedInPage({ path: "/chat/pages-history" });
    const conversation = page.getByRole("region", { name: "Conversation" });
    await conversation.getByText("message 29").first().waitFor();
    expect(await page.getByRole("article").count()).toBe(50); // the latest page only
    expect(await conversation.getByText("message 0", { exact: true }).count()).toBe(0);
    const reading = await agentMessages(page).first().innerText();
    await conversation.evaluate((element) => (element.scrollTop = 0));
    await conversation.getByText("message 0", { exact: true }).first().waitFor();
    expect(await page.getByRole("article").count()).toBe(60);
    // The earlier messages went in front without moving what was being read out of view.
    const stillShown = agentMessages(page).filter({ hasText: reading }).first();
    expect(await stillShown.isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("button", { name: "Load earlier messages" }).count()).toBe(0);
    await page.context().close();
  });

  it("finding 12: lists the newest 200 chats and reaches the older ones on request", { timeout: 240_000 }, async () => {
    const ids = Array.from({ length: 205 }, (_, i) => `pages-index-${String(i).padStart(3, "0")}`);
    for (let at = 0; at < ids.length; at += 4) {
      await Promise.all(ids.slice(at, at + 4).map((id) => chat(id, `chat ${id.slice(-3)}`)));
    }
    const page = await suite.signedInPage();
    const list = page.getByRole("navigation", { name: "Chats" });
    await list.getByText("chat 204").waitFor();
    expect(await list.getByRole("listitem").count()).toBe(200);
    expect(await list.getByText("chat 000").count()).toBe(0);
    await list.getByRole("button", { name: "Load older chats" }).click();
    await list.getByText("chat 000").waitFor();
    expect(await list.getByRole("listitem").count()).toBeGreaterThanOrEqual(206); // ours and the long chat above
    await page.context().close();
  });
});
