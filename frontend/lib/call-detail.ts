/**
 * The call detail page's state: the call and its timeline (audit log), merged from
 * GET /api/calls/{id}, GET /api/calls/{id}/events and the `call:<id>` room.
 *
 * A live message applies once: an event whose seq is at or below the highest seq in the
 * timeline is ignored. The call is replaced only by a version with a higher `last_seq`.
 * A fetch (first load or resync after reconnect) merges by seq with what is there.
 * After a reconnect the page resumes `call:<id>` from `resumeFrom` instead of refetching
 * when it can: the server then replays the events after it before going live.
 */
import type { Call, CallEvent, CallEventMessage } from "./contracts";

export interface CallDetailState {
  callId: string;
  call: Call | null;
  /** Sorted by seq, one entry per seq. */
  events: readonly CallEvent[];
}

export const SYSTEM_EVENT_TYPES: ReadonlySet<string> = new Set(["sla_breached", "call_retransfer", "hold_exceeded"]);

export function emptyDetail(callId: string): CallDetailState {
  return { callId, call: null, events: [] };
}

export function lastEventSeq(state: CallDetailState): number {
  return state.events.length ? state.events[state.events.length - 1]!.seq : 0;
}

/**
 * The seq a reconnect can resume from: the highest held, when the timeline holds every
 * event up to it (1…n, the log has no gaps); otherwise null, and the page refetches.
 */
export function resumeFrom(state: CallDetailState): number | null {
  const last = lastEventSeq(state);
  return last > 0 && last === state.events.length ? last : null;
}

export function applyDetailEvent(state: CallDetailState, message: CallEventMessage): CallDetailState {
  const { event, call } = message;
  if (event.call_id !== state.callId || call.id !== state.callId) return state;
  if (event.seq <= lastEventSeq(state)) return state;
  return { ...state, call: newerCall(state.call, call), events: [...state.events, event] };
}

export function mergeFetched(state: CallDetailState, call: Call | null, events: readonly CallEvent[]): CallDetailState {
  const bySeq = new Map<number, CallEvent>();
  for (const e of state.events) bySeq.set(e.seq, e);
  for (const e of events) if (e.call_id === state.callId && !bySeq.has(e.seq)) bySeq.set(e.seq, e);
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return { ...state, call: call ? newerCall(state.call, call) : state.call, events: merged };
}

function newerCall(current: Call | null, candidate: Call): Call {
  return current === null || candidate.last_seq > current.last_seq ? candidate : current;
}
