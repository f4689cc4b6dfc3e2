// Every error the HTTP API returns is JSON `{ error }` with a status that says what went wrong.

export function jsonError(status: number, error: string): Response {
  return Response.json({ error }, { status });
}
