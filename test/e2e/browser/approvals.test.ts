// Tool approvals from the phone: a fake openclaw gateway (speaking the real protocol) whose exec tool
// asks before running, the real agent host on it (`--agent openclaw`), `wrangler dev`, and Chromium.
// The request shows in every tab on the chat with Approve and Deny; the choice made on one device goes
// page -> relay -> host -> gateway (`exec.approval.resolve`), and every tab, a reload too, shows it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { FakeGateway, type Turn } from "../../../agent-host/test/support/fake-gateway.ts";
import { startAgentHost, waitForHosts } from "../../support/agent-host-process.ts";
import { lastAnswerText, PHONE, saveScreenshot, sendButton, sendMessage } from "../../support/browser.ts";
import { useBrowserSuite } from "../../support/browser-suite.ts";
import type { GroupProcess } from "../../support/process-group.ts";

const suite = useBrowserSuite({ agentCommand: null });
let gateway: FakeGateway;
let host: GroupProcess;
let stateDir: string;

/** The exec tool asks first; it runs only when allowed. "expire" in the message: nobody has long. */
async function execAsking(turn: Turn): Promise<void> {
  turn.agent({ stream: "lifecycle", data: { phase: "start" } });
  turn.agent({ stream: "tool", data: { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "ls /" } } });
  const expiresInMs = turn.message.includes("expire") ? 1_500 : undefined;
  const decision = await turn.requestApproval({ toolCallId: "call_1", command: "ls /", expiresInMs });
  const ran = decision === "allow-once";
  turn.agent({ stream: "tool", data: { phase: "result", name: "exec", toolCallId: "call_1", isError: !ran, result: ran ? "bin etc" : "exec denied" } });
  turn.agent({ stream: "assistant", data: { text: ran ? "Listed." : "I did not run it.", delta: ran ? "Listed." : "I did not run it." } });
  turn.agent({ stream: "lifecycle", data: { phase: "end" } });
  turn.chat("final");
}

beforeAll(async () => {
  gateway = await FakeGateway.start();
  gateway.script = execAsking;
  stateDir = mkdtempSync(join(tmpdir(), "agent-host-state-"));
  host = startAgentHost({
    url: suite.relay.url,
    token: suite.relay.hostToken,
    agent: "openclaw",
    extraArgs: ["--gateway-url", gateway.url, "--gateway-token", gateway.sharedToken],
    env: { ...process.env, AGENT_RELAY_STATE_DIR: stateDir },
  });
  await waitForHosts(() => suite.relay.hostsConnected(), 1, host);
});

afterAll(async () => {
  await host?.stop();
  await gateway?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

// The two tests run at the same time, each in its own chat (an expiry is the gateway's own decision, not
// a resolve call the first test counts).
describe.concurrent("the chat page, tool approvals", () => {
  it("shows the request in every tab; Approve on the phone runs the command; Deny is kept after a reload", async ({ expect }) => {
    const { page: laptop, sessionId } = await suite.newChatPage();
    await sendMessage(laptop, "list the root folder");
    const laptopTool = laptop.getByRole("region", { name: "Tool call exec" });
    await laptopTool.getByRole("button", { name: "Approve" }).waitFor();

    // The phone signs in, then opens the chat's link (a phone shows the chat list or a chat, not both).
    const phone = await suite.signedInPage({ size: PHONE });
    await phone.goto(new URL(`/chat/${sessionId}`, phone.url()).href);
    const phoneTool = phone.getByRole("region", { name: "Tool call exec" });
    await phoneTool.getByRole("button", { name: "Approve" }).click();

    for (const page of [laptop, phone]) {
      await page.getByRole("region", { name: "Tool call exec" }).getByText("Approved", { exact: true }).waitFor();
      await page.getByRole("region", { name: "Tool call exec" }).getByText("bin etc").waitFor();
    }
    await sendButton(laptop).waitFor();
    expect(gateway.calls("exec.approval.resolve")).toEqual([{ id: expect.any(String), decision: "allow-once" }]);
    expect(await laptopTool.getByRole("button", { name: "Deny" }).count()).toBe(0);
    // The phone opened the chat mid-answer (a snapshot, then the stream): no stream error on either.
    for (const page of [laptop, phone]) expect(await page.getByRole("alert").count()).toBe(0);
    await saveScreenshot(phone, "approval-approved-phone");

    await sendMessage(laptop, "and again");
    const second = laptop.getByRole("region", { name: "Tool call exec" }).nth(1);
    await second.getByRole("button", { name: "Deny" }).click();
    await second.getByText("Denied", { exact: true }).waitFor();
    await sendButton(laptop).waitFor();
    expect(gateway.calls("exec.approval.resolve").at(-1)).toEqual({ id: expect.any(String), decision: "deny" });
    expect(await lastAnswerText(laptop)).toContain("I did not run it.");

    await laptop.reload();
    const afterReload = laptop.getByRole("region", { name: "Tool call exec" });
    await afterReload.nth(1).getByText("Denied", { exact: true }).waitFor();
    await afterReload.nth(0).getByText("Approved", { exact: true }).waitFor();
    expect(await laptop.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await laptop.context().close();
    await phone.context().close();
  });

  it("a request nobody answers expires as openclaw decides, and the page says so", async ({ expect }) => {
    const { page } = await suite.newChatPage();
    await sendMessage(page, "expire please");
    const tool = page.getByRole("region", { name: "Tool call exec" });
    await tool.getByRole("button", { name: "Approve" }).waitFor();
    await tool.getByText("Denied", { exact: true }).waitFor({ timeout: 10_000 });
    await tool.getByText("The approval request expired before anyone answered; openclaw denied the command.").waitFor();
    await sendButton(page).waitFor();
    expect(await tool.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await saveScreenshot(page, "approval-expired");
    await page.context().close();
  });
});
