"use client";

import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { clearKey, loadKey, storeKey } from "@/lib/api-key";
import type { RuntimeConfig } from "@/lib/runtime-config";
import { Realtime } from "@/lib/socket";
import { AlertsProvider } from "@/ui/alerts/alerts-provider";
import { AppHeader } from "./app-header";
import { KeyForm } from "./key-form";
import { SessionContext, type Session } from "./session-context";

/** Holds the session's key (sessionStorage), the API connection and the one socket. */
export function SessionProvider({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  const [key, setKey] = useState<string | null | undefined>(undefined);

  useEffect(() => setKey(loadKey()), []);

  const signIn = useCallback((value: string) => {
    storeKey(value);
    setKey(value.trim());
  }, []);
  const signOut = useCallback(() => {
    clearKey();
    setKey(null);
  }, []);

  const realtime = useMemo(() => (key ? new Realtime(config.realtimeUrl, key) : null), [key, config.realtimeUrl]);
  useEffect(() => () => realtime?.close(), [realtime]);

  const session = useMemo<Session | null>(
    () =>
      key && realtime
        ? { config, conn: { baseUrl: config.callServiceUrl, apiKey: key }, realtime, signOut }
        : null,
    [key, realtime, config, signOut],
  );

  if (key === undefined) {
    return <p className="page-status">Loading…</p>;
  }
  if (!session) {
    return <KeyForm onSubmit={signIn} callServiceUrl={config.callServiceUrl} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <AlertsProvider>
        <AppHeader />
        <main className="main">{children}</main>
      </AlertsProvider>
    </SessionContext.Provider>
  );
}
