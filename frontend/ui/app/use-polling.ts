"use client";

import { useEffect, useRef, useState } from "react";

export interface Polled<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  refresh: () => void;
}

/** Calls `load` now and every `intervalMs`; keeps the last good data when a poll fails. */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, onData?: (data: T) => void): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  const sink = useRef(onData);
  sink.current = onData;

  useEffect(() => {
    let cancelled = false;
    const run = async () => {
      try {
        const value = await loader.current();
        if (cancelled) return;
        setData(value);
        setError(null);
        sink.current?.(value);
      } catch (cause) {
        if (!cancelled) setError(cause);
      } finally {
        if (!cancelled) setLoading(false);
      }
    };
    void run();
    const timer = setInterval(run, intervalMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [intervalMs, tick]);

  return { data, error, loading, refresh: () => setTick((t) => t + 1) };
}
