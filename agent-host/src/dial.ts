// Open a WebSocket to the edge with the host token, and say why when it cannot be opened.
//
// Node's WebSocket (undici) sends the Authorization header we give it, but a refused handshake reaches
// us only as a bare "error" event: no status code, the same as a refused connection. So when a handshake
// fails, one plain GET with the same header asks the edge why (it answers 401 to a bad token before it
// looks at the upgrade). That request is made only after a failure, so it costs nothing when all is well.

export const CONNECT_TIMEOUT_MS = 10_000;

export type DialResult =
  | { ok: true; socket: WebSocket }
  /** `status`: the edge's HTTP answer to the probe, when it gave one. */
  | { ok: false; status?: number; reason: string };

export async function dial(url: string, token: string, headers: Record<string, string> = {}, timeoutMs: number = CONNECT_TIMEOUT_MS): Promise<DialResult> {
  const authorization = `Bearer ${token}`;
  const opened = await new Promise<WebSocket | undefined>((resolve) => {
    const socket = new WebSocket(url, { headers: { ...headers, authorization } });
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.addEventListener("close", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (opened) return { ok: true, socket: opened };
  return probe(url, authorization, timeoutMs);
}

async function probe(url: string, authorization: string, timeoutMs: number): Promise<DialResult> {
  const httpUrl = url.replace(/^ws/, "http");
  try {
    const response = await fetch(httpUrl, { headers: { authorization }, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.text()).slice(0, 200).replace(/\s+/g, " ");
    // 426: the token is fine and the edge wants an upgrade, so it was the handshake itself that broke.
    const reason = response.status === 426 ? "WebSocket handshake failed" : `HTTP ${response.status}${body ? ` ${body}` : ""}`;
    return { ok: false, status: response.status, reason };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, reason: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
