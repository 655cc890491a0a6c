"use client";

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { ApiError, fetchCall, fetchCallEvents } from "@/lib/api";
import { applyDetailEvent, type CallDetailState, emptyDetail, mergeFetched, resumeFrom } from "@/lib/call-detail";
import type { Call, CallEvent, CallEventMessage } from "@/lib/contracts";
import { useSession } from "@/ui/app/session-context";
import { useRoom } from "@/ui/app/use-room";

type Action =
  | { type: "reset"; callId: string }
  | { type: "event"; message: CallEventMessage }
  | { type: "fetched"; call: Call; events: CallEvent[] };

function reducer(state: CallDetailState, action: Action): CallDetailState {
  switch (action.type) {
    case "reset":
      return emptyDetail(action.callId);
    case "event":
      return applyDetailEvent(state, action.message);
    case "fetched":
      return mergeFetched(state, action.call, action.events);
  }
}

/**
 * One call and its audit log, live from `call:<id>`. After a reconnect the room is resumed
 * from the highest seq held (the server replays what was missed); when that is refused, or
 * nothing complete is held yet, the page refetches from the API instead.
 */
export function useCallDetail(callId: string) {
  const { conn, realtime } = useSession();
  const [state, dispatch] = useReducer(reducer, callId, emptyDetail);
  const [error, setError] = useState<unknown>(null);
  const [notFound, setNotFound] = useState(false);
  const request = useRef(0);

  const load = useCallback(async () => {
    const mine = ++request.current;
    try {
      // Events first, then the call: the call is then at least as new as the log.
      const events = await fetchCallEvents(conn, callId);
      const call = await fetchCall(conn, callId);
      if (mine !== request.current) return;
      dispatch({ type: "fetched", call, events: events.data });
      setError(null);
    } catch (cause) {
      if (mine !== request.current) return;
      if (cause instanceof ApiError && cause.kind === "not_found") setNotFound(true);
      else setError(cause);
    }
  }, [conn, callId]);

  useEffect(() => {
    dispatch({ type: "reset", callId });
    setNotFound(false);
    void load();
  }, [callId, load]);

  const latest = useRef(state);
  latest.current = state;
  useRoom(
    `call:${callId}`,
    (resumed) => {
      if (!resumed) void load();
    },
    // The state still holds the previous call for a moment after navigating to another.
    () => (latest.current.callId === callId ? resumeFrom(latest.current) : null),
  );

  useEffect(
    () =>
      realtime.onCallEvent((message) => {
        if (message.call.id === callId) {
          setNotFound(false);
          dispatch({ type: "event", message });
        }
      }),
    [realtime, callId],
  );

  return { state, error, notFound };
}
