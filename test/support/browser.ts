// The chat page in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
// browser), and what a person does on the page (sign in, open a chat, send, stop) and sees there.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { PROJECT_ROOT } from "./wrangler-dev.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOT_DIR = join(PROJECT_ROOT, "artifacts/screenshots");

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Each launch gets a fresh profile; nothing is fetched in the background. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
}

/** Opens `path` (default: the page's root) in a new browser context, i.e. a fresh tab with no saved token. */
export async function openPage(browser: Browser, baseUrl: string, path = "/", options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ ...options, baseURL: baseUrl });
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

/** Pastes the relay token into the sign-in form and submits it. */
export async function submitToken(page: Page, token: string): Promise<void> {
  await page.getByLabel("Relay token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in with the right token and waits for the signed-in page. */
export async function signIn(page: Page, token: string): Promise<void> {
  await submitToken(page, token);
  await page.getByRole("button", { name: "+ New chat" }).waitFor();
}

/** A fresh signed-in tab at `path` ("/" or a chat's "/chat/<id>"). */
export async function openSignedIn(browser: Browser, baseUrl: string, token: string, path = "/", options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const page = await openPage(browser, baseUrl, path, options);
  await signIn(page, token);
  return page;
}

/** Starts a new chat and returns its session id (the open session is in the URL, /chat/<id>). */
export async function newChat(page: Page): Promise<string> {
  await page.getByRole("button", { name: "+ New chat" }).click();
  await page.waitForURL(/\/chat\/[^/]+$/);
  await messageBox(page).waitFor();
  return openSessionId(page);
}

export function openSessionId(page: Page): string {
  const match = /\/chat\/([^/?#]+)/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`no chat is open at ${page.url()}`);
  return decodeURIComponent(match[1]!);
}

export function messageBox(page: Page): Locator {
  return page.getByLabel("Message", { exact: true });
}

/** The Send button; while the agent answers, the composer shows Stop instead. */
export function sendButton(page: Page): Locator {
  return page.locator(".composer button[type=submit]");
}

export function stopButton(page: Page): Locator {
  return page.locator(".composer").getByRole("button", { name: "Stop" });
}

/**
 * Types `text` and sends it with the Send button or the Enter key, once the page is ready for a new
 * message (Send shown, not Stop).
 */
export async function sendMessage(page: Page, text: string, via: "button" | "Enter" = "button"): Promise<void> {
  await sendButton(page).waitFor();
  await messageBox(page).fill(text);
  if (via === "Enter") await messageBox(page).press("Enter");
  else await sendButton(page).click();
}

/**
 * The "running" marker on the open chat's row in the chat list (other chats, e.g. a test running at the
 * same time, have rows of their own).
 */
export function runningMarker(page: Page): Locator {
  return page.getByRole("navigation", { name: "Chats" }).locator('[aria-current="page"]').getByText("● running");
}

/** The agent's answers, one article per assistant message. */
export function agentMessages(page: Page): Locator {
  return page.getByRole("article", { name: "Agent" });
}

/** The visible text of the agent's last answer (its rendered Markdown; tool calls and notes left out). */
export async function lastAnswerText(page: Page): Promise<string> {
  const answers = agentMessages(page);
  if ((await answers.count()) === 0) return "";
  const texts = await answers.last().locator(".markdown").allInnerTexts();
  return normalizeSpace(texts.join(" "));
}

export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Reads the last answer every `everyMs` until it equals `expected` (or `timeoutMs` passes), and returns
 * every distinct text seen on the way, in order.
 */
export async function watchAnswerUntil(page: Page, expected: string, timeoutMs = 30_000, everyMs = 50): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await lastAnswerText(page);
    if (text !== seen.at(-1)) seen.push(text);
    if (text === expected) return seen;
    if (Date.now() > deadline) {
      throw new Error(
        `the answer did not become ${JSON.stringify(expected.slice(0, 80))}… within ${timeoutMs} ms; last seen: ${JSON.stringify(text)}\n` +
          `the page showed:\n${await page.locator("body").innerText()}`,
      );
    }
    await page.waitForTimeout(everyMs);
  }
}

/** Waits until the last answer shows at least `count` words, and returns its text then. */
export async function waitForWords(page: Page, count: number, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await lastAnswerText(page);
    if (text.split(" ").filter(Boolean).length >= count) return text;
    if (Date.now() > deadline) throw new Error(`the answer did not reach ${count} words within ${timeoutMs} ms; last seen: ${JSON.stringify(text)}`);
    await page.waitForTimeout(25);
  }
}

/**
 * Waits until `locator` is visible, checking every 25 ms: Playwright's own waitFor slows to a check every
 * 500 ms and can miss something shown for a moment (a tool's live state).
 */
export async function waitForBrief(locator: Locator, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await locator.isVisible())) {
    if (Date.now() > deadline) throw new Error(`${String(locator)} was not visible within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Saves a full-page screenshot as artifacts/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A message the fixture agent answers back word by word: "word0 word1 ...", each word distinct. */
export function words(count: number): string {
  return Array.from({ length: count }, (_, i) => `word${i}`).join(" ");
}

/**
 * The answer was seen streaming: every text seen on the way to `full` was the start of it, each
 * longer than the one before, and at least `partials` of them were neither empty nor complete.
 */
export function expectGrowingAnswer(seen: string[], full: string, partials: number): void {
  const shown = seen.filter((text) => text !== "");
  for (const text of shown) expect(full.startsWith(text), `seen ${JSON.stringify(text)}`).toBe(true);
  const lengths = shown.map((text) => text.length);
  expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  expect(shown.filter((text) => text !== full).length).toBeGreaterThanOrEqual(partials);
}

/**
 * The page shows `full` as its last answer, every word once, in `answers` agent messages in all, and
 * still does a moment later (nothing arrives twice after the end).
 */
export async function expectAnswerShownOnce(page: Page, full: string, answers: number): Promise<void> {
  for (let check = 0; check < 2; check++) {
    if (check > 0) await page.waitForTimeout(500);
    expect((await lastAnswerText(page)).split(" ")).toEqual(full.split(" "));
    expect(await agentMessages(page).count()).toBe(answers);
  }
}
