"use client";

import { useEffect, useRef } from "react";
import { useSession } from "./session-context";

/**
 * Follow a Socket.io room while mounted. `onSubscribed` runs after every successful
 * subscription (first join and each reconnect): refetch there to resync.
 */
export function useRoom(room: string | null, onSubscribed?: () => void): void {
  const { realtime } = useSession();
  const callback = useRef(onSubscribed);
  callback.current = onSubscribed;
  useEffect(() => {
    if (!room) return;
    return realtime.join(room, () => callback.current?.());
  }, [realtime, room]);
}
