// Issue 11, several hosts, in the page: Chromium against `wrangler dev` with two real agent hosts
// ("laptop" and "server", their fixture agents signing their answers). A new chat picks its host (and
// the next new chat defaults to the one used last), the chat shows its host and says when it is offline,
// and moving it is an explicit action that warns the agent there starts without its memory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { FIXTURE_AGENT, startAgentHost } from "../../support/agent-host-process.ts";
import { launchBrowser, lastAnswerText, newChat, openSignedIn, saveScreenshot, sendMessage } from "../../support/browser.ts";
import type { GroupProcess } from "../../support/process-group.ts";
import { WranglerDev } from "../../support/wrangler-dev.ts";

type HostName = "laptop" | "server";
const relay = new WranglerDev();
const hosts = new Map<HostName, GroupProcess>();
let browser: Browser;

function startHost(name: HostName): void {
  hosts.set(name, startAgentHost({ url: relay.url, token: relay.hostToken, hostId: name, command: [process.execPath, FIXTURE_AGENT, "--sign", name, "--say", "{message}"] }));
}

async function hostIds(): Promise<string[]> {
  return ((await (await relay.api("/api/hosts")).json()) as { id: string }[]).map((host) => host.id);
}

beforeAll(async () => {
  const launching = launchBrowser().then((launched) => (browser = launched));
  await relay.start();
  startHost("laptop");
  startHost("server");
  const deadline = Date.now() + 30_000;
  while ((await hostIds()).join() !== "laptop,server") {
    if (Date.now() > deadline) throw new Error(`the hosts did not connect:\n${[...hosts.values()].map((host) => host.output()).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await launching;
});

afterAll(async () => {
  await browser?.close();
  for (const host of hosts.values()) await host.stop();
  await relay.dispose();
});

function hostPicker(page: Page) {
  return page.getByLabel("Agent host");
}

async function answerIs(page: Page, text: string): Promise<void> {
  await expect.poll(() => lastAnswerText(page), { timeout: 20_000 }).toBe(text);
}

describe("the page with several hosts", () => {
  it("lets a new chat pick its host, remembers it for the next, and shows each chat's host", async () => {
    const page = await openSignedIn(browser, relay.url, relay.relayToken);
    await newChat(page);
    // Two hosts, none used before in this browser: the relay may take the least busy one.
    await expect.poll(() => hostPicker(page).inputValue()).toBe("");
    expect(await hostPicker(page).locator("option").allInnerTexts()).toEqual([
      "Any (least busy)",
      "laptop — jsonl, 0 of 4 runs in use",
      "server — jsonl, 0 of 4 runs in use",
    ]);
    await hostPicker(page).selectOption("server");
    await sendMessage(page, "hello");
    await answerIs(page, "server: hello");
    await page.getByText("Agent host: server").waitFor();
    await page.getByRole("navigation", { name: "Chats" }).getByText("server", { exact: true }).waitFor();

    // The next new chat starts on the host used last.
    await newChat(page);
    await expect.poll(() => hostPicker(page).inputValue()).toBe("server");
    await page.context().close();
  });

  it("says when a chat's host is offline, and moves the chat only after a warning about its memory", async () => {
    const page = await openSignedIn(browser, relay.url, relay.relayToken);
    await newChat(page);
    await hostPicker(page).selectOption("laptop");
    await sendMessage(page, "first");
    await answerIs(page, "laptop: first");
    await page.getByText("Agent host: laptop").waitFor();

    await hosts.get("laptop")!.stop();
    await expect.poll(hostIds, { timeout: 30_000 }).toEqual(["server"]);
    await page.getByRole("alert").getByText("Agent host laptop is offline: this chat's messages can start only when it is back.").waitFor({ timeout: 15_000 });
    await sendMessage(page, "second");
    await page.getByRole("alert").getByText(/^Agent host laptop is offline, so the message could not start/).waitFor();

    const warnings: string[] = [];
    page.once("dialog", (dialog) => {
      warnings.push(dialog.message());
      void dialog.accept();
    });
    await page.getByLabel("Move this chat to another agent host").selectOption("server");
    await page.getByRole("button", { name: "Move" }).click();
    await page.getByRole("note").getByText("Moved from agent host laptop to server. The agent on server starts without its memory of this chat.").waitFor();
    expect(warnings).toEqual([expect.stringMatching(/The agent on server starts without its memory of this chat/)]);
    await page.getByText("Agent host: server").waitFor();
    // The refusal was about the old host: it is gone with the move.
    expect(await page.getByRole("alert").count()).toBe(0);
    await saveScreenshot(page, "chat-moved-to-another-host");

    await sendMessage(page, "second");
    await answerIs(page, "server: second");
    await page.context().close();
    startHost("laptop");
  });
});
