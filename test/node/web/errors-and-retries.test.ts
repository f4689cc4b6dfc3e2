import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { RelayApiError, errorMessageFromBody, httpStatusOf } from "../../../web/src/api/http-error.ts";
import { reconnectDelayMs } from "../../../web/src/chat/reconnect-delay.ts";
import { isRetryableStreamError } from "../../../web/src/chat/retryable.ts";
import { describeSendFailure } from "../../../web/src/chat/send-failure.ts";

// What the AI SDK transport throws when /api/chat answers with an error status.
function chatApiError(statusCode: number, body: string): APICallError {
  return new APICallError({ message: body, url: "/api/chat", requestBodyValues: undefined, statusCode, responseBody: body });
}

describe("send failures", () => {
  it("says plainly that no agent host is connected on 503", () => {
    expect(describeSendFailure(chatApiError(503, '{"error":"no agent host connected"}'))).toMatch(
      /^No agent host is connected/,
    );
  });

  it("explains a run already in progress on 409", () => {
    expect(describeSendFailure(chatApiError(409, '{"error":"busy"}'))).toMatch(/already answering/);
  });

  it("passes on the relay's own words for other refusals", () => {
    expect(describeSendFailure(chatApiError(413, '{"error":"request body over 1048576 bytes"}'))).toBe(
      "The relay refused the message (413: request body over 1048576 bytes).",
    );
  });

  it("says the relay could not be reached when there was no answer", () => {
    expect(describeSendFailure(new TypeError("Failed to fetch"))).toMatch(/could not be reached \(Failed to fetch\)/);
  });
});

describe("http errors", () => {
  it("reads the status from both our own errors and the AI SDK's", () => {
    expect(httpStatusOf(new RelayApiError(401, "wrong token"))).toBe(401);
    expect(httpStatusOf(chatApiError(503, ""))).toBe(503);
    expect(httpStatusOf(new TypeError("network error"))).toBeUndefined();
  });

  it("takes the message from a JSON error body, else the body text", () => {
    expect(errorMessageFromBody('{"error":"invalid session id"}', "x")).toBe("invalid session id");
    expect(errorMessageFromBody("Bad Gateway", "x")).toBe("Bad Gateway");
    expect(errorMessageFromBody("  ", "fallback")).toBe("fallback");
  });

  it("retries a stream only when the network failed or the server did", () => {
    expect(isRetryableStreamError(new TypeError("network error"))).toBe(true);
    expect(isRetryableStreamError(chatApiError(502, ""))).toBe(true);
    expect(isRetryableStreamError(chatApiError(401, ""))).toBe(false);
    expect(isRetryableStreamError(new Error("Invalid chunk"))).toBe(false);
  });
});

describe("reconnect backoff", () => {
  it("starts fast, doubles, and stops growing at 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
