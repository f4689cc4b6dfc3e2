// Tool approvals from any tab: POST /api/chat/:id/approvals/:approvalId goes to the run's own host on
// its run socket; the host's outcome line is what every stream, and the stored message, then show.
import { describe, expect, it } from "vitest";
import { api, chunksOf, readSse, sendExit, sendLines } from "../support/relay-client.ts";
import { startRun } from "../support/started-run.ts";
import { agent, approvalRequested, approvalResolved } from "../translate/scenario.ts";

const execStart = agent("tool", { phase: "start", name: "exec", toolCallId: "call_1", args: { command: "ls /" } });

function answer(sessionId: string, approvalId: string, body: unknown): Promise<Response> {
  return api(`/api/chat/${sessionId}/approvals/${approvalId}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

type ToolPart = { type: string; state?: string; approval?: { id: string; approved?: boolean; reason?: string } };
async function toolPartOf(sessionId: string): Promise<ToolPart | undefined> {
  const history = (await (await api(`/api/chat/${sessionId}/messages`)).json()) as { parts: ToolPart[] }[];
  return history.at(-1)!.parts.find((part) => part.type === "dynamic-tool");
}

describe("approvals", () => {
  it("forwards a decision to the run's host, and every reader (a reload too) sees the request, then the outcome", async () => {
    const { sessionId, run, response } = await startRun("approve-1");
    let seq = await sendLines(run, 1, [execStart, approvalRequested("appr-1", "call_1")]);

    // A reload, or another device, sees the request waiting: in the stored snapshot and in a replay.
    expect(await toolPartOf(sessionId)).toMatchObject({ state: "approval-requested", approval: { id: "appr-1" } });
    const replay = api(`/api/chat/${sessionId}/stream`);

    const answered = await answer(sessionId, "appr-1", { approved: false, reason: "not on this machine" });
    expect(answered.status).toBe(202);
    expect(await run.nextOfType("approval")).toEqual({ type: "approval", approvalId: "appr-1", approved: false, reason: "not on this machine" });

    seq = await sendLines(run, seq, [approvalResolved("appr-1", { decision: "deny", resolvedBy: "host", reason: "not on this machine" })]);
    // Answered once: a second answer (another tab a moment later) is refused, not sent.
    const again = await answer(sessionId, "appr-1", { approved: true });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: "the running turn is not waiting for approval appr-1" });
    await sendExit(run, seq, 0);

    for (const stream of [response, await replay]) {
      const chunks = chunksOf(await readSse(stream));
      expect(chunks.filter((chunk) => chunk.type.startsWith("tool-approval") || chunk.type === "tool-output-denied")).toEqual([
        { type: "tool-approval-request", approvalId: "appr-1", toolCallId: expect.any(String) },
        { type: "tool-approval-response", approvalId: "appr-1", approved: false, reason: "not on this machine" },
        { type: "tool-output-denied", toolCallId: expect.any(String) },
      ]);
    }
    expect(await toolPartOf(sessionId)).toMatchObject({ state: "output-denied", approval: { id: "appr-1", approved: false, reason: "not on this machine" } });
  });

  it("forwards an approval without a reason as it is", async () => {
    const { sessionId, run } = await startRun("approve-2");
    await sendLines(run, 1, [execStart, approvalRequested("appr-2", "call_1")]);
    expect((await answer(sessionId, "appr-2", { approved: true })).status).toBe(202);
    expect(await run.nextOfType("approval")).toEqual({ type: "approval", approvalId: "appr-2", approved: true });
  });

  it("refuses an answer for an approval the run does not wait on, or when no run is active (409)", async () => {
    const none = await answer("approve-none", "appr-x", { approved: true });
    expect(none.status).toBe(409);
    expect(await none.json()).toEqual({ error: "no run is active in this session" });

    const { sessionId, run } = await startRun("approve-3");
    await sendLines(run, 1, [execStart]);
    const unknown = await answer(sessionId, "appr-x", { approved: true });
    expect(unknown.status).toBe(409);
    expect(await unknown.json()).toEqual({ error: "the running turn is not waiting for approval appr-x" });
  });

  it("answers 503 while the run's host is away, and sends nothing", async () => {
    const { sessionId, run } = await startRun("approve-4");
    await sendLines(run, 1, [execStart, approvalRequested("appr-4", "call_1")]);
    run.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const away = await answer(sessionId, "appr-4", { approved: true });
    expect(away.status).toBe(503);
    expect(await away.json()).toEqual({ error: "the agent host of this run is not connected right now; try again in a moment" });
  });

  it("refuses bad input with a clear error", async () => {
    const { sessionId, run } = await startRun("approve-5");
    await sendLines(run, 1, [execStart, approvalRequested("appr-5", "call_1")]);
    const cases: [string, unknown, number, string][] = [
      ["appr-5", { approved: "yes" }, 400, "invalid field approved: Invalid input: expected boolean, received string"],
      ["appr-5", {}, 400, "invalid field approved: Invalid input: expected boolean, received undefined"],
      ["appr-5", "{not json", 400, "request body is not JSON"],
      ["appr-5", { approved: true, reason: "x".repeat(1001) }, 400, "invalid field reason: Too big: expected string to have <=1000 characters"],
      ["appr-5", { approved: true, reason: "x".repeat(9000) }, 413, "request body is larger than 8192 bytes"],
      ["appr%205", { approved: true }, 400, "invalid approval id: must match [A-Za-z0-9_.:-]{1,128}"],
    ];
    for (const [id, body, status, error] of cases) {
      const response = await answer(sessionId, id, body);
      expect([response.status, await response.json()]).toEqual([status, { error }]);
    }
    const badSession = await answer("no spaces", "appr-5", { approved: true });
    expect(badSession.status).toBe(400);
  });
});
