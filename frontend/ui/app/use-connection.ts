"use client";

import { useSyncExternalStore } from "react";
import type { ConnectionStatus } from "@/lib/socket";
import { useSession } from "./session-context";

const SERVER_STATUS: ConnectionStatus = { state: "connecting", error: null };

export function useConnection(): ConnectionStatus {
  const { realtime } = useSession();
  return useSyncExternalStore(
    (notify) => realtime.onStatus(notify),
    () => realtime.connection,
    () => SERVER_STATUS,
  );
}
