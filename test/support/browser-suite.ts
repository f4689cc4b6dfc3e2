// One browser test file's world: `wrangler dev`, a TCP proxy in front of it (for network cuts), the
// real agent host running a fixture agent (or no host at all), and one Chromium; started before the
// file's tests and stopped after them.
import { afterAll, beforeAll } from "vitest";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { FIXTURE_AGENT, startAgentHost, waitForHosts } from "./agent-host-process.ts";
import { DESKTOP, launchBrowser, newChat, openSignedIn } from "./browser.ts";
import type { GroupProcess } from "./process-group.ts";
import { TcpProxy } from "./tcp-proxy.ts";
import { WranglerDev } from "./wrangler-dev.ts";

/** The fixture agent answering the user's message back, one word every `delayMs`. */
export function sayingAgent(delayMs: number): string[] {
  return [process.execPath, FIXTURE_AGENT, "--say", "{message}", "--delay", String(delayMs)];
}

export interface BrowserSuiteOptions {
  /** The agent's argv template for the host; null: no agent host connects. */
  agentCommand: string[] | null;
  /** More agent-host flags, e.g. ["--cwd", dir]. */
  hostArgs?: string[];
}

export interface BrowserSuite {
  relay: WranglerDev;
  /** Points at the relay; a page opened at proxy.url loses its connections on proxy.cutAll(). */
  proxy: TcpProxy;
  browser(): Browser;
  /** A fresh tab (its own browser context) signed in with the relay token, at `path`. */
  signedInPage(options?: PageOptions): Promise<Page>;
  /** A fresh signed-in tab with a new chat open in it. */
  newChatPage(options?: PageOptions): Promise<{ page: Page; sessionId: string }>;
}

export interface PageOptions {
  path?: string;
  size?: BrowserContextOptions;
  /** Load the page through the proxy, so that proxy.cutAll() cuts its connections. */
  throughProxy?: boolean;
}

export function useBrowserSuite(options: BrowserSuiteOptions): BrowserSuite {
  const relay = new WranglerDev();
  const proxy = new TcpProxy(() => Number(new URL(relay.url).port));
  let host: GroupProcess | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    // Chromium starts while wrangler does; kept as soon as it is up, so afterAll closes it whatever fails.
    const launching = launchBrowser().then((launched) => (browser = launched));
    await relay.start();
    await proxy.listen();
    if (options.agentCommand) {
      host = startAgentHost({ url: relay.url, token: relay.hostToken, command: options.agentCommand, extraArgs: options.hostArgs });
      await waitForHosts(() => relay.hostsConnected(), 1, host);
    }
    await launching;
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), host?.stop()]);
    await proxy.close();
    await relay.dispose();
  });

  return {
    relay,
    proxy,
    browser() {
      if (!browser) throw new Error("the browser is not running (beforeAll failed?)");
      return browser;
    },
    signedInPage({ path = "/", size = DESKTOP, throughProxy = false } = {}) {
      return openSignedIn(this.browser(), throughProxy ? proxy.url : relay.url, relay.relayToken, path, size);
    },
    async newChatPage(options) {
      const page = await this.signedInPage(options);
      return { page, sessionId: await newChat(page) };
    },
  };
}
