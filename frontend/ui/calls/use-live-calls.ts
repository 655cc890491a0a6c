"use client";

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { fetchCalls } from "@/lib/api";
import { type CallFilters, roomForFilters } from "@/lib/call-filters";
import {
  appendPage,
  applyCallEvents,
  type CallListState,
  emptyCallList,
  replaceFirstPage,
} from "@/lib/call-list";
import type { Call, CallEventMessage } from "@/lib/contracts";
import { useSession } from "@/ui/app/session-context";
import { useRoom } from "@/ui/app/use-room";

type Action =
  | { type: "reset"; filters: CallFilters }
  | { type: "events"; messages: CallEventMessage[] }
  | { type: "first"; page: Call[]; nextCursor: string | null; seenAtFetch: CallListState["lastSeq"] }
  | { type: "older"; page: Call[]; nextCursor: string | null };

function reducer(state: CallListState, action: Action): CallListState {
  switch (action.type) {
    case "reset":
      return emptyCallList(action.filters);
    case "events":
      return applyCallEvents(state, action.messages);
    case "first":
      return replaceFirstPage(state, action.page, action.nextCursor, action.seenAtFetch);
    case "older":
      return appendPage(state, action.page, action.nextCursor);
  }
}

/**
 * The live-calls list for some filters: first page from the API, then `call_event`
 * messages from the `calls` (or `queue:<id>`) room merged in, batched per animation frame.
 * After every (re)subscription the first page is read again (resync).
 */
export function useLiveCalls(filters: CallFilters) {
  const { conn, realtime } = useSession();
  const [state, dispatch] = useReducer(reducer, filters, emptyCallList);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const stateRef = useRef(state);
  stateRef.current = state;
  const request = useRef(0);
  const { status, queueId } = filters;

  const loadFirst = useCallback(async () => {
    const mine = ++request.current;
    const seenAtFetch = stateRef.current.lastSeq;
    try {
      const page = await fetchCalls(conn, { status, queueId });
      if (mine !== request.current) return;
      dispatch({ type: "first", page: page.data, nextCursor: page.next_cursor, seenAtFetch });
      setError(null);
    } catch (cause) {
      if (mine === request.current) setError(cause);
    } finally {
      if (mine === request.current) setLoading(false);
    }
  }, [conn, status, queueId]);

  useEffect(() => {
    request.current++;
    dispatch({ type: "reset", filters: { status, queueId } });
    setLoading(true);
    void loadFirst();
  }, [loadFirst, status, queueId]);

  useRoom(roomForFilters({ status, queueId }), loadFirst);

  // Batch incoming messages: one state update per animation frame, whatever the rate.
  useEffect(() => {
    let pending: CallEventMessage[] = [];
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      const messages = pending;
      pending = [];
      dispatch({ type: "events", messages });
    };
    const unsubscribe = realtime.onCallEvent((message) => {
      if (queueId && message.call.queue_id !== queueId && !stateRef.current.byId.has(message.call.id)) return;
      pending.push(message);
      frame ??= requestAnimationFrame(flush);
    });
    return () => {
      unsubscribe();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [realtime, queueId]);

  const loadOlder = useCallback(async () => {
    const cursor = stateRef.current.nextCursor;
    if (!cursor) return;
    setLoadingOlder(true);
    try {
      const page = await fetchCalls(conn, { status, queueId }, { cursor });
      dispatch({ type: "older", page: page.data, nextCursor: page.next_cursor });
      setError(null);
    } catch (cause) {
      setError(cause);
    } finally {
      setLoadingOlder(false);
    }
  }, [conn, status, queueId]);

  return { state, error, loading, loadingOlder, loadOlder };
}
