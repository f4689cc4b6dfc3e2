import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Loads `load()` now, then every `intervalMs` while the page is visible, and at once when it becomes
 * visible again. An answer that arrives after a newer one is dropped.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const latestLoad = useRef(load);
  const requestSeq = useRef(0);
  const appliedSeq = useRef(0);
  useEffect(() => {
    latestLoad.current = load;
  });

  const refresh = useCallback(async () => {
    const seq = ++requestSeq.current;
    try {
      const value = await latestLoad.current();
      if (seq < appliedSeq.current) return;
      appliedSeq.current = seq;
      setData(value);
      setError(undefined);
    } catch (failure) {
      if (seq < appliedSeq.current) return;
      appliedSeq.current = seq;
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void refresh();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") void refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [intervalMs, refresh]);

  return { data, error, refresh };
}
