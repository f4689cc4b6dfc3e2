// The part of Cloudflare's v4 API that `wrangler secret list` and `wrangler secret put` use, on loopback,
// so the deploy script's account checks run with the real wrangler and no account. Wrangler is pointed
// at it by CLOUDFLARE_API_BASE_URL, with an API token and account id so it never tries to log in.
// Every request is recorded: a test can show that nothing but the secret calls reached the "account".
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
// Cloudflare's error code for a Worker that does not exist (wrangler reads it as "not found").
const WORKER_NOT_FOUND = 10007;

export interface FakeCloudflareApiOptions {
  /** The Worker's secrets; undefined: the account has no such Worker yet. */
  secrets?: Record<string, string>;
}

export class FakeCloudflareApi {
  /** `METHOD path` of every request, in order. */
  readonly requests: string[] = [];
  secrets: Map<string, string> | null;
  private readonly server = createServer((request, response) => void this.handle(request, response));

  constructor(options: FakeCloudflareApiOptions = {}) {
    this.secrets = options.secrets ? new Map(Object.entries(options.secrets)) : null;
  }

  async start(): Promise<void> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
  }

  async stop(): Promise<void> {
    this.server.close();
    this.server.closeAllConnections();
    await once(this.server, "close");
  }

  /** What wrangler needs in its environment to talk to this API as an authenticated account. */
  wranglerEnv(): Record<string, string> {
    const { port } = this.server.address() as AddressInfo;
    return {
      CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:${port}/client/v4`,
      CLOUDFLARE_API_TOKEN: "fake-api-token",
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://api").pathname;
    this.requests.push(`${request.method} ${path}`);
    let body = "";
    for await (const chunk of request) body += chunk;
    const secretsPath = path.match(new RegExp(`^/client/v4/accounts/${ACCOUNT_ID}/workers/scripts/([^/]+)/secrets$`));
    if (!secretsPath) return reply(response, 404, { success: false, errors: [{ code: 7003, message: "No route for that URI" }], messages: [], result: null });
    if (!this.secrets) return reply(response, 404, { success: false, errors: [{ code: WORKER_NOT_FOUND, message: "workers.api.error.script_not_found" }], messages: [], result: null });
    if (request.method === "GET") {
      return reply(response, 200, { success: true, errors: [], messages: [], result: [...this.secrets.keys()].map((name) => ({ name, type: "secret_text" })) });
    }
    if (request.method === "PUT") {
      const secret = JSON.parse(body) as { name: string; text: string };
      this.secrets.set(secret.name, secret.text);
      return reply(response, 200, { success: true, errors: [], messages: [], result: { name: secret.name, type: "secret_text" } });
    }
    reply(response, 405, { success: false, errors: [{ code: 10000, message: "method not allowed" }], messages: [], result: null });
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
