// A fake OpenAI-compatible model provider on 127.0.0.1 for the real openclaw CLI:
// `POST /v1/chat/completions` answered with chat-completion chunks over SSE. One scripted turn: some text
// and a tool call (finish_reason "tool_calls"); once a tool result is in the conversation, the final
// answer. Or, switched with `answerWith`: a refusal with an HTTP status (a provider failure), or a stall
// (a first text delta, then nothing until the client goes away: a turn to stop mid-stream).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ModelScript {
  /** Said before the tool call. */
  preamble: string;
  toolCall: { name: string; arguments: Record<string, unknown> };
  /** The final answer, from the tool result the model was sent. */
  answer(toolResult: string): string;
}

/**
 * How requests are answered: the script, the script with a pause before each of its chunks (a model
 * that takes its time), the script calling another tool, a stall, or an HTTP error status with an
 * OpenAI error body.
 */
export type AnswerMode = "script" | { paceMs: number } | { toolCall: ModelScript["toolCall"] } | "stall" | { status: number };

/** What the stall mode says before it stalls. */
export const STALL_TEXT = "Thinking it over";

export interface FakeModelServer {
  /** The provider's base URL for openclaw's config (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  /** Every tool result the model was sent, in order (the CLI sends the whole conversation each time). */
  readonly toolResults: string[];
  /** How many chat-completion requests it answered. */
  readonly requests: number;
  /** From now on, answer every request this way (the default: "script"). */
  answerWith(mode: AnswerMode): void;
  close(): Promise<void>;
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

/** One chat-completion chunk as an SSE event. */
function chunk(delta: object, finishReason: string | null = null): string {
  const body = { id: "fake-completion", object: "chat.completion.chunk", created: 0, model: "fake-model", choices: [{ index: 0, delta, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** A message's text: OpenAI content is a string or an array of `{type: "text", text}` parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
}

/** Splits text into a few deltas, so the answer streams as several chunks. */
function deltas(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

export async function startFakeModelServer(script: ModelScript): Promise<FakeModelServer> {
  const toolResults: string[] = [];
  let requests = 0;
  let mode: AnswerMode = "script";

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const part of request) body += part;
    requests++;
    if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
      return;
    }
    if (typeof mode === "object" && "status" in mode) {
      const error = { message: `fake provider refuses (HTTP ${mode.status})`, type: "invalid_request_error", code: "invalid_api_key" };
      response.writeHead(mode.status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
      return;
    }
    const messages = (JSON.parse(body) as { messages?: ChatMessage[] }).messages ?? [];
    // After the tool ran the CLI also appends a user message: the tool result can be anywhere.
    const results = messages.filter((message) => message.role === "tool").map((message) => contentText(message.content));
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    if (mode === "stall") {
      response.write(chunk({ role: "assistant", content: STALL_TEXT }));
      return; // the response stays open until the client (or close()) ends the connection
    }
    const paceMs = typeof mode === "object" && "paceMs" in mode ? mode.paceMs : 0;
    const write = async (text: string) => {
      if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      response.write(text);
    };
    if (results.length > 0) {
      toolResults.push(...results);
      const [first = "", ...rest] = deltas(script.answer(results.join("\n")));
      await write(chunk({ role: "assistant", content: first }));
      for (const delta of rest) await write(chunk({ content: delta }));
      await write(chunk({}, "stop"));
    } else {
      await write(chunk({ role: "assistant", content: script.preamble }));
      const toolCall = typeof mode === "object" && "toolCall" in mode ? mode.toolCall : script.toolCall;
      const call = { index: 0, id: `call_fake_${requests}`, type: "function", function: { name: toolCall.name, arguments: JSON.stringify(toolCall.arguments) } };
      await write(chunk({ tool_calls: [call] }));
      await write(chunk({}, "tool_calls"));
    }
    response.end("data: [DONE]\n\n");
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    toolResults,
    get requests() {
      return requests;
    },
    answerWith(next) {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
