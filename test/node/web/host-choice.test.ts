// Issue 11, several hosts, the page's side: which host a new chat defaults to, and when a chat's host
// counts as away.
import { describe, expect, it } from "vitest";
import type { HostSummary } from "../../../web/src/api/relay-api.ts";
import { chatHostState, defaultHostFor, describeHost, moveWarning } from "../../../web/src/chat/host-choice.ts";
import { describeSendFailure } from "../../../web/src/chat/send-failure.ts";
import { APICallError } from "ai";

const host = (id: string, agent: string | null = "openclaw"): HostSummary => ({ id, agent, runsInUse: 1, maxRuns: 4, connectedSince: 0 });

describe("a new chat's host", () => {
  it("defaults to the only host, else to the one used last when it is connected, else lets the relay choose", () => {
    expect(defaultHostFor([host("laptop")], null)).toBe("laptop");
    expect(defaultHostFor([host("laptop")], "server")).toBe("laptop");
    expect(defaultHostFor([host("laptop"), host("server")], "server")).toBe("server");
    expect(defaultHostFor([host("laptop"), host("server")], "desk")).toBeNull();
    expect(defaultHostFor([host("laptop"), host("server")], null)).toBeNull();
    expect(defaultHostFor([], "laptop")).toBeNull();
  });

  it("names a host with its agent kind and runs in use", () => {
    expect(describeHost(host("laptop"))).toBe("laptop — openclaw, 1 of 4 runs in use");
    expect(describeHost(host("box", null))).toBe("box — 1 of 4 runs in use");
  });
});

describe("a chat's host", () => {
  it("is offline when the connected hosts do not include it", () => {
    expect(chatHostState("laptop", [host("server")])).toBe("offline");
    expect(chatHostState("laptop", [host("laptop")])).toBe("online");
    expect(chatHostState("laptop", undefined)).toBe("unknown");
    expect(chatHostState(null, [host("laptop")])).toBe("none");
  });

  it("says the agent on the new host starts without its memory before a move", () => {
    expect(moveWarning("laptop", "server")).toMatch(/server starts without its memory of this chat/);
  });

  it("names the offline host when a send is refused with 503", () => {
    const refused = new APICallError({ message: "", url: "/api/chat", requestBodyValues: undefined, statusCode: 503, responseBody: '{"error":"agent host laptop is offline"}' });
    expect(describeSendFailure(refused, "laptop")).toMatch(/^Agent host laptop is offline/);
    expect(describeSendFailure(refused)).toMatch(/^No agent host is connected/);
  });
});
