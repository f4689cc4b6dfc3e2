// Watches one UI-message stream for how it ended, without changing what flows through it.
import type { UIMessageChunk } from "ai";

/**
 * What happened to a response stream, as far as staying attached to the run goes:
 * - "attached": a stream began (a new run, or a resume found the active run);
 * - "finished": the run's `finish` chunk arrived, the answer is complete;
 * - "cut": the connection failed, or the body ended before `finish`, so the run may still be going;
 * - "no-run": a resume found no active run (the relay answered 204).
 */
export type StreamEvent = "attached" | "finished" | "cut" | "no-run";

/**
 * Passes `stream` through unchanged and reports "finished" or "cut" once it ends. A stream ended by
 * `signal` (Stop, leaving the session) reports nothing: the person chose to detach.
 */
export function watchStream(
  stream: ReadableStream<UIMessageChunk>,
  signal: AbortSignal | undefined,
  report: (event: StreamEvent) => void,
): ReadableStream<UIMessageChunk> {
  const reader = stream.getReader();
  let sawFinish = false;
  return new ReadableStream<UIMessageChunk>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        if (!signal?.aborted) report("cut");
        controller.error(error);
        return;
      }
      if (next.done) {
        controller.close();
        if (!signal?.aborted) report(sawFinish ? "finished" : "cut");
        return;
      }
      if (next.value.type === "finish") sawFinish = true;
      controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
