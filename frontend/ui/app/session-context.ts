"use client";

import { createContext, useContext } from "react";
import type { ApiConnection } from "@/lib/api";
import type { RuntimeConfig } from "@/lib/runtime-config";
import type { Realtime } from "@/lib/socket";

export interface Session {
  config: RuntimeConfig;
  conn: ApiConnection;
  realtime: Realtime;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
