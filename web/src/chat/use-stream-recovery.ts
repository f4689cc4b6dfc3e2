// Keeps the page attached to a run when its stream is cut (network loss, a proxy or the relay
// dropping the connection): resume with backoff until the run's stream is back or the run is over.
//
// Why a resume gives "no repeated or missing words": the transport (relay-transport.ts) asks for the
// events after the last one it applied (Last-Event-ID) and hands the AI SDK the answer it already held
// followed by those events; the SDK rebuilds the message, under the same id, from that stream's
// `start`. What was on screen is replaced rather than appended to, and the relay's replay holds every
// event after the id, so nothing is missing; only the missed events cross the network.
import { useCallback, useEffect, useRef, useState } from "react";
import { reconnectDelayMs } from "./reconnect-delay.ts";
import type { StreamEvent } from "./stream-watch.ts";

type RecoveryOptions = {
  /** Re-attach to the session's run (useChat's `resumeStream`). */
  resume: () => Promise<void>;
  /** A resume found no run: it ended while the page was away (`wasRecovering`) or there was none. */
  onNoRun: (wasRecovering: boolean) => void;
};

export function useStreamRecovery({ resume, onNoRun }: RecoveryOptions) {
  const [reconnecting, setReconnecting] = useState(false);
  const recovering = useRef(false);
  const attempts = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ resume, onNoRun });
  useEffect(() => {
    latest.current = { resume, onNoRun };
  });

  const resumeAfter = useCallback((delayMs: number) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void latest.current.resume(), delayMs);
  }, []);

  const settle = useCallback(() => {
    clearTimeout(timer.current);
    recovering.current = false;
    attempts.current = 0;
    setReconnecting(false);
  }, []);

  const onStreamEvent = useCallback(
    (event: StreamEvent) => {
      if (event === "cut") {
        recovering.current = true;
        setReconnecting(true);
        resumeAfter(reconnectDelayMs(attempts.current++));
        return;
      }
      const wasRecovering = recovering.current;
      settle();
      if (event === "no-run") latest.current.onNoRun(wasRecovering);
    },
    [resumeAfter, settle],
  );

  useEffect(() => {
    // The browser says when the network is back: try at once instead of waiting out the backoff.
    const onOnline = () => {
      if (recovering.current) resumeAfter(0);
    };
    window.addEventListener("online", onOnline);
    return () => {
      window.removeEventListener("online", onOnline);
      clearTimeout(timer.current);
    };
  }, [resumeAfter]);

  /** Stop trying (the person pressed Stop): the partial answer stays as it is. */
  const cancel = settle;

  return { reconnecting, onStreamEvent, cancel };
}
