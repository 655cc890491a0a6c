"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { ackAlert, fetchAlerts } from "@/lib/api";
import { alertFromMessage, mergeAlerts } from "@/lib/alert-list";
import type { Alert } from "@/lib/contracts";
import { useSession } from "@/ui/app/session-context";
import { useRoom } from "@/ui/app/use-room";

interface AlertsStore {
  alerts: readonly Alert[];
  error: unknown;
  loaded: boolean;
  /** The newest alert that arrived live, for the discreet notification. */
  latest: Alert | null;
  dismissLatest: () => void;
  acknowledge: (id: string) => Promise<void>;
}

const AlertsContext = createContext<AlertsStore | null>(null);

export function useAlerts(): AlertsStore {
  const store = useContext(AlertsContext);
  if (!store) throw new Error("useAlerts outside AlertsProvider");
  return store;
}

/** The `alerts` room for the whole session: header badge, toast and the alerts page share it. */
export function AlertsProvider({ children }: { children: ReactNode }) {
  const { conn, realtime } = useSession();
  const [alerts, setAlerts] = useState<readonly Alert[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const [latest, setLatest] = useState<Alert | null>(null);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const page = await fetchAlerts(conn, { limit: 200 });
      if (mine !== generation.current) return;
      setAlerts((current) => mergeAlerts(current, page.data));
      setError(null);
    } catch (cause) {
      if (mine === generation.current) setError(cause);
    } finally {
      setLoaded(true);
    }
  }, [conn]);

  useEffect(() => {
    void load();
  }, [load]);
  useRoom("alerts", load);

  useEffect(
    () =>
      realtime.onAlert((message) => {
        const alert = alertFromMessage(message);
        setAlerts((current) => mergeAlerts(current, [alert]));
        setLatest(alert);
      }),
    [realtime],
  );

  const acknowledge = useCallback(
    async (id: string) => {
      const updated = await ackAlert(conn, id);
      setAlerts((current) => mergeAlerts(current, [updated]));
    },
    [conn],
  );

  const store = useMemo<AlertsStore>(
    () => ({ alerts, error, loaded, latest, dismissLatest: () => setLatest(null), acknowledge }),
    [alerts, error, loaded, latest, acknowledge],
  );
  return <AlertsContext.Provider value={store}>{children}</AlertsContext.Provider>;
}
