"use client";

import { useEffect, useRef } from "react";
import type { OnSubscribed, ResumeFrom } from "@/lib/socket";
import { useSession } from "./session-context";

/**
 * Follow a Socket.io room while mounted. `onSubscribed` runs after every successful
 * subscription (first join and each reconnect): refetch there to resync, unless its
 * `resumed` argument says the server replayed what was missed (`call:` rooms given a
 * `resumeFrom`, the highest seq the page holds).
 */
export function useRoom(room: string | null, onSubscribed?: OnSubscribed, resumeFrom?: ResumeFrom): void {
  const { realtime } = useSession();
  const callback = useRef(onSubscribed);
  callback.current = onSubscribed;
  const since = useRef(resumeFrom);
  since.current = resumeFrom;
  const resumable = resumeFrom !== undefined;
  useEffect(() => {
    if (!room) return;
    const resume = resumable ? () => since.current?.() ?? null : undefined;
    return realtime.join(room, (resumed) => callback.current?.(resumed), resume);
  }, [realtime, room, resumable]);
}
