/**
 * The cached list of the live-calls page and how realtime `call_event` messages merge
 * into it. Pure functions; the page applies a batch of messages per animation frame.
 *
 * Rules:
 * - each call's events apply once, in order: a message whose `event.seq` is at or below
 *   the last seq known for that call is ignored (duplicate or older);
 * - a message replaces the row with its `call` (the call as that event left it);
 * - the active filters decide membership: a call that stops matching leaves the list,
 *   a matching call not yet listed enters at its place in the API's order (newest
 *   `start_time` first, so a new call enters at the top) — unless it is older than the
 *   oldest loaded row while older pages remain, where paging will bring it;
 * - a resync (first page refetched after a reconnect) replaces the list, keeping for each
 *   call whichever of the fetched and the cached versions has the higher `last_seq`.
 */
import type { Call, CallEventMessage } from "./contracts";
import { type CallFilters, matchesFilters } from "./call-filters";

export interface CallListState {
  filters: CallFilters;
  /** Row order: newest start_time first. */
  ids: readonly string[];
  byId: ReadonlyMap<string, Call>;
  /** Last applied seq of every call seen, listed or not. */
  lastSeq: ReadonlyMap<string, number>;
  nextCursor: string | null;
}

export function emptyCallList(filters: CallFilters): CallListState {
  return { filters, ids: [], byId: new Map(), lastSeq: new Map(), nextCursor: null };
}

/** Newest first, then id descending: the order of GET /api/calls. */
export function compareCalls(a: Call, b: Call): number {
  const byTime = Date.parse(b.start_time) - Date.parse(a.start_time);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function applyCallEvents(state: CallListState, messages: readonly CallEventMessage[]): CallListState {
  let byId: Map<string, Call> | null = null;
  let lastSeq: Map<string, number> | null = null;
  let ids: string[] | null = null;
  for (const { event, call } of messages) {
    if (event.call_id !== call.id) continue;
    const known = (lastSeq ?? state.lastSeq).get(call.id) ?? 0;
    if (event.seq <= known) continue;
    lastSeq ??= new Map(state.lastSeq);
    byId ??= new Map(state.byId);
    lastSeq.set(call.id, Math.max(event.seq, call.last_seq));
    const listed = byId.has(call.id);
    const matches = matchesFilters(call, state.filters);
    if (listed && matches) {
      byId.set(call.id, call);
    } else if (listed) {
      byId.delete(call.id);
      ids ??= state.ids.slice();
      ids.splice(ids.indexOf(call.id), 1);
    } else if (matches) {
      ids ??= state.ids.slice();
      const at = insertionIndex(ids, byId, call);
      if (at === ids.length && state.nextCursor !== null) continue; // paging will bring it
      byId.set(call.id, call);
      ids.splice(at, 0, call.id);
    }
  }
  if (byId === null && lastSeq === null) return state;
  return { ...state, ids: ids ?? state.ids, byId: byId ?? state.byId, lastSeq: lastSeq ?? state.lastSeq };
}

/**
 * First page (fresh load or resync after reconnect): replaces the rows, newer cache wins.
 * `seenAtFetch` is `state.lastSeq` as it was when the request went out: rows that changed
 * live since then are kept even if the page (read earlier) does not show them yet.
 */
export function replaceFirstPage(
  state: CallListState,
  page: readonly Call[],
  nextCursor: string | null,
  seenAtFetch: ReadonlyMap<string, number> = state.lastSeq,
): CallListState {
  const lastSeq = new Map(state.lastSeq);
  const byId = new Map<string, Call>();
  const ids: string[] = [];
  for (const fetched of page) {
    const cached = state.byId.get(fetched.id);
    const known = lastSeq.get(fetched.id) ?? 0;
    const call = cached && cached.last_seq > fetched.last_seq ? cached : fetched;
    if (known > fetched.last_seq && !cached) continue; // left the list after this page was read
    lastSeq.set(call.id, Math.max(known, call.last_seq));
    if (!matchesFilters(call, state.filters) || byId.has(call.id)) continue;
    byId.set(call.id, call);
    ids.push(call.id);
  }
  // Rows that arrived live while the page was being fetched, and are newer than its rows, stay.
  for (const id of state.ids) {
    const cached = state.byId.get(id);
    if (!cached || byId.has(id)) continue;
    if ((state.lastSeq.get(id) ?? 0) <= (seenAtFetch.get(id) ?? 0)) continue;
    const oldest = ids.length ? byId.get(ids[ids.length - 1]!)! : null;
    if (oldest === null || compareCalls(cached, oldest) < 0) {
      byId.set(id, cached);
      ids.splice(insertionIndex(ids, byId, cached), 0, id);
    }
  }
  return { ...state, ids, byId, lastSeq, nextCursor };
}

/** An older page ("older" button): appended, skipping rows already listed. */
export function appendPage(state: CallListState, page: readonly Call[], nextCursor: string | null): CallListState {
  const byId = new Map(state.byId);
  const lastSeq = new Map(state.lastSeq);
  const ids = state.ids.slice();
  for (const fetched of page) {
    const known = lastSeq.get(fetched.id) ?? 0;
    if (byId.has(fetched.id) || known > fetched.last_seq) continue;
    if (!matchesFilters(fetched, state.filters)) continue;
    lastSeq.set(fetched.id, fetched.last_seq);
    byId.set(fetched.id, fetched);
    ids.push(fetched.id);
  }
  return { ...state, ids, byId, lastSeq, nextCursor };
}

function insertionIndex(ids: readonly string[], byId: ReadonlyMap<string, Call>, call: Call): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = byId.get(ids[mid]!);
    if (other && compareCalls(other, call) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
