// The chat page in Chromium against a relay with no agent host connected: signing in with a wrong
// token, and sending a message that cannot start.
import { describe, expect, it } from "vitest";
import { agentMessages, messageBox, newChat, openPage, sendMessage, submitToken } from "../../support/browser.ts";
import { useBrowserSuite } from "../../support/browser-suite.ts";

const suite = useBrowserSuite({ agentCommand: null });

describe("the chat page, refused", () => {
  it("refuses a wrong token at sign-in, says so, and does not keep it", async () => {
    const page = await openPage(suite.browser(), suite.relay.url);
    // The other kind of token (the agent hosts') is wrong here too.
    for (const wrong of ["not-the-token", suite.relay.hostToken]) {
      await page.reload();
      await submitToken(page, wrong);
      await page.getByRole("alert").getByText("The relay refused this token. Check it and try again.").waitFor();
      expect(await page.getByLabel("Relay token").isVisible()).toBe(true);
      expect(await page.getByRole("button", { name: "+ New chat" }).count()).toBe(0);
    }
    await page.reload();
    await page.getByLabel("Relay token").waitFor();
    expect(await page.getByRole("button", { name: "+ New chat" }).count()).toBe(0);
    await page.context().close();
  });

  it("says no agent host is connected, and a message sent then goes back into the message box", async () => {
    const page = await suite.signedInPage();
    await page.getByRole("status").getByText("No agent host is connected").waitFor();
    await newChat(page);
    await sendMessage(page, "is anyone there?");
    await page.getByRole("alert").getByText(/No agent host is connected, so the message could not start/).waitFor();
    expect(await messageBox(page).inputValue()).toBe("is anyone there?");
    expect(await page.getByRole("article").count()).toBe(0);
    expect(await agentMessages(page).count()).toBe(0);
    await page.context().close();
  });
});
