// Open a WebSocket to the edge with the host token, and say why when it cannot be opened.
//
// The client is `ws`, not Node's global WebSocket (undici): undici masks every byte of a client frame in
// JavaScript (11-15% of the host's busy time at burst, where frames reach ~900 KiB), while ws masks with
// the native `bufferutil` when it loads: ~1.0 CPU ms per MB sent against undici's ~1.8
// (scripts/bench-ws-send.ts). bufferutil is optional: without it ws masks in JavaScript (~2.3 ms per MB)
// and the host still works. ws also hands us a refused handshake's status and body, which undici hides.
import type { IncomingMessage } from "node:http";
import { WebSocket } from "ws";

export const CONNECT_TIMEOUT_MS = 10_000;
/** How much of a refusal's body goes into the reason (the edge answers `{error}` in a line). */
const REASON_BODY_CHARS = 200;

export type DialResult =
  /** The socket comes paused: `resume()` it once its listeners are on. */
  | { ok: true; socket: WebSocket }
  /** `status`: the edge's HTTP answer to the upgrade, when it gave one. */
  | { ok: false; status?: number; reason: string };

export function dial(url: string, token: string, headers: Record<string, string> = {}, timeoutMs: number = CONNECT_TIMEOUT_MS): Promise<DialResult> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, {
      headers: { ...headers, authorization: `Bearer ${token}` },
      handshakeTimeout: timeoutMs,
      // No compression. undici offered it and workerd took it, so the edge deflated each ack and the host
      // inflated it (~3% of the host's busy time at burst); the host's own frames, the bulk, were never
      // deflated, and deflating ~900 KiB frames would cost far more CPU than the bytes are worth.
      perMessageDeflate: false,
    });
    // ws throws an "error" nobody listens to. Every error is followed by "close", which is what the links
    // act on once the socket is open; before that, the error is the reason the dial failed.
    socket.on("error", (error: NodeJS.ErrnoException) => resolve({ ok: false, reason: error.code ?? error.message }));
    socket.once("open", () => {
      // ws reads on as soon as it opens, and the edge speaks first (a run socket's resume point): hold
      // what comes until the caller has its listeners on, a few microtasks from here.
      socket.pause();
      resolve({ ok: true, socket });
    });
    socket.once("unexpected-response", (_request, response) => {
      void readStart(response).then((body) => {
        socket.terminate();
        // 426: the edge wants an upgrade, so the upgrade itself broke on the way (a proxy in between).
        const reason = response.statusCode === 426 ? "WebSocket handshake failed" : `HTTP ${response.statusCode}${body ? ` ${body}` : ""}`;
        resolve({ ok: false, status: response.statusCode, reason });
      });
    });
  });
}

/** The start of a refusal's body, on one line (whatever arrived before the response ended or broke). */
async function readStart(response: IncomingMessage): Promise<string> {
  let text = "";
  try {
    response.setEncoding("utf8");
    for await (const chunk of response) {
      text += chunk as string;
      if (text.length >= REASON_BODY_CHARS) break;
    }
  } catch {
    // A body cut short: the status and what came say enough.
  }
  return text.slice(0, REASON_BODY_CHARS).replace(/\s+/g, " ").trim();
}
