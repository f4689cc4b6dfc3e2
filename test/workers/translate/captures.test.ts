// The real openclaw captures, translated: what the page shows for each.
import { describe, expect, it } from "vitest";
import type { UIChunk } from "../../../src/translate/chunks.ts";
import { CAPTURES } from "./captures.ts";
import { accumulate, finishOf, texts, translate } from "./scenario.ts";

const countStream = (lines: string[], stream: string) => lines.filter((line) => JSON.parse(line).stream === stream).length;

describe("final.jsonl: a read tool, then a streamed answer", () => {
  const chunks = translate(CAPTURES.final);
  const message = accumulate(chunks);

  it("shows the preamble, the tool call with its input and output, then the answer, in order", () => {
    expect(message.parts.map((part) => part.type)).toEqual(["data-status", "text", "dynamic-tool", "text"]);
    expect(texts(message)).toEqual(["Let me read the file.", "The file says hello from the fake server."]);
    expect(message.parts[2]).toMatchObject({
      type: "dynamic-tool",
      toolName: "read",
      state: "output-available",
      input: { path: "hello.txt" },
      output: { text: "hello from the probe file\n", kind: "text", content: "hello from the probe file\n" },
    });
  });

  it('showed "Preparing response..." until the first text, then settled it', () => {
    const statuses = chunks.filter((chunk) => chunk.type === "data-status");
    expect(statuses.map((chunk) => chunk.data)).toEqual([
      { text: "Preparing response...", active: true },
      { text: "Preparing response...", active: false },
    ]);
    const settledAt = chunks.indexOf(statuses[1]!);
    expect(chunks[settledAt + 1]).toMatchObject({ type: "text-start" });
  });

  it("starts with the message id and ends with a completed finish carrying usage and counts", () => {
    expect(chunks[0]).toEqual({ type: "start", messageId: "msg-1", messageMetadata: { runId: "run-1", status: "running" } });
    expect(finishOf(chunks)).toEqual({
      type: "finish",
      finishReason: "stop",
      messageMetadata: {
        status: "completed",
        exitCode: 0,
        skippedLines: 0,
        ignoredLines: countStream(CAPTURES.final.lines, "item"),
        usage: { outputTokens: 18 },
      },
    });
  });
});

describe("exec-tool.jsonl: live output of a running command", () => {
  const chunks = translate(CAPTURES.execTool);
  const outputs = chunks.filter((chunk) => chunk.type === "tool-output-available");

  it("streams the partial result and the command output as preliminary output, then the final one", () => {
    expect(outputs.map((chunk) => [chunk.preliminary ?? false, (chunk.output as { text?: string }).text])).toEqual([
      [true, "hi from exec\n"],
      [true, "hi from exec"],
      [false, "hi from exec"],
    ]);
    expect(outputs[2]!.output).toMatchObject({ status: "completed", exitCode: 0 });
  });

  it("ignores the command_output end that arrives after the result (no output after the final one)", () => {
    const lastOutput = chunks.lastIndexOf(outputs[2]!);
    expect(chunks.slice(lastOutput + 1).some((chunk) => chunk.type.startsWith("tool-"))).toBe(false);
  });

  it("persists the final output, not a preliminary one", () => {
    const tool = accumulate(chunks).parts.find((part) => part.type === "dynamic-tool");
    expect(tool).toMatchObject({ state: "output-available", input: { command: "echo hi from exec" } });
    expect(tool).not.toHaveProperty("preliminary");
  });
});

it("ok-think-off.jsonl: the preamble said only as an item is shown; the answer that arrives as one delta is one text part", () => {
  const message = accumulate(translate(CAPTURES.okThinkOff));
  expect(texts(message)).toEqual(["Let me read the file.", "The file says hello from the fake server."]);
  expect(finishOf(translate(CAPTURES.okThinkOff)).messageMetadata.status).toBe("completed");
});

describe("the words before a tool call (openclaw's preamble item)", () => {
  it("are shown once, before the tool, when they come only as the item (exec-tool.jsonl)", () => {
    const message = accumulate(translate(CAPTURES.execTool));
    expect(message.parts.map((part) => part.type).filter((type) => type !== "data-status")).toEqual(["text", "dynamic-tool", "text"]);
    expect(texts(message)).toEqual(["Let me read the file.", "The file says hello from the fake server."]);
  });

  it("are not repeated when they also came as assistant text (final.jsonl)", () => {
    const message = accumulate(translate(CAPTURES.final));
    expect(texts(message)).toEqual(["Let me read the file.", "The file says hello from the fake server."]);
  });
});

describe("e401.jsonl: the provider refuses the token", () => {
  const chunks = translate(CAPTURES.e401);

  it("shows the lifecycle error once, as an [error] text, and nothing about the exit code", () => {
    expect(texts(accumulate(chunks))).toEqual([
      "[error] Authentication failed (provider returned HTTP 401). Your provider token may have expired — try the request again in a moment. If the failure persists, re-authenticate this provider.",
    ]);
  });

  it("finishes as an error", () => {
    expect(finishOf(chunks)).toMatchObject({ finishReason: "error", messageMetadata: { status: "error", exitCode: 1 } });
  });
});

describe("sigterm.jsonl: the user pressed Stop", () => {
  const chunks = translate(CAPTURES.sigterm);
  const message = accumulate(chunks);

  it("keeps the partial answer and shows no error", () => {
    expect(texts(message)).toEqual(["Let me read the file.", "The"]);
    expect(JSON.stringify(chunks)).not.toContain("[error]");
  });

  it("finishes as a stop with status aborted", () => {
    expect(finishOf(chunks)).toMatchObject({ finishReason: "stop", messageMetadata: { status: "aborted", exitCode: 143 } });
  });

  it("reads as aborted even when the edge did not see the stop (the agent said so)", () => {
    const chunks = translate({ ...CAPTURES.sigterm, end: { exit: { code: 143, signal: null, stderrTail: "" } } });
    expect(finishOf(chunks).messageMetadata.status).toBe("aborted");
    expect(JSON.stringify(chunks)).not.toContain("[error]");
  });
});

it("every capture closes every part it opens, and ids are unique within the run", () => {
  for (const scenario of Object.values(CAPTURES)) {
    const chunks = translate(scenario);
    const opened = chunks.filter((chunk): chunk is Extract<UIChunk, { type: "text-start" | "reasoning-start" }> =>
      chunk.type === "text-start" || chunk.type === "reasoning-start");
    const ids = opened.map((chunk) => chunk.id);
    expect(new Set(ids).size).toBe(ids.length);
    const closed = chunks.flatMap((chunk) => (chunk.type === "text-end" || chunk.type === "reasoning-end" ? [chunk.id] : []));
    expect(closed.sort()).toEqual([...ids].sort());
  }
});
