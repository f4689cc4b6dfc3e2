// Failed relay calls reach the page two ways: our own fetches (RelayApiError) and the AI SDK's chat
// transport (APICallError). Both carry `statusCode` and the response body, so one reader serves both.

/** An HTTP error answer from the relay, with the message the server gave. */
export class RelayApiError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "RelayApiError";
    this.statusCode = statusCode;
  }
}

/** The HTTP status of a failed call, or undefined when it never got an answer (network failure). */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The relay answers errors as JSON `{ error }`; anything else is shown as the body text itself. */
export function errorMessageFromBody(body: string, fallback: string): string {
  const text = body.trim();
  if (text === "") return fallback;
  try {
    const parsed: unknown = JSON.parse(text);
    const message = (parsed as { error?: unknown } | null)?.error;
    if (typeof message === "string" && message !== "") return message;
  } catch {
    // not JSON: the text is the message
  }
  return text;
}
