/**
 * The live clocks of a call, from its timestamps and `now` (ms since the epoch). Pure: the
 * caller passes the current time, so one ticking `now` drives every row.
 */
import type { Call } from "./contracts";

const seconds = (fromIso: string, toMs: number) => Math.max(0, (toMs - Date.parse(fromIso)) / 1000);

/** Waiting time: until the first answer (the producer's wait_time when it sent one). */
export function waitSeconds(call: Call, now: number): number {
  if (call.answered_at !== null) {
    return call.wait_time ?? seconds(call.start_time, Date.parse(call.answered_at));
  }
  const end = call.end_time !== null ? Date.parse(call.end_time) : now;
  return seconds(call.start_time, end);
}

/** Hold time: the closed holds plus the one running now. */
export function holdSeconds(call: Call, now: number): number {
  const running =
    call.hold_started_at !== null && call.status !== "ended" ? seconds(call.hold_started_at, now) : 0;
  return call.hold_total + running;
}

/** Talk time: answered → end (or now), less the time on hold; null before the answer. */
export function talkSeconds(call: Call, now: number): number | null {
  if (call.answered_at === null) return null;
  const end = call.end_time !== null ? Date.parse(call.end_time) : now;
  return Math.max(0, seconds(call.answered_at, end) - holdSeconds(call, now));
}

/** Whether any clock of this call still moves (so the row needs the ticking `now`). */
export function isTicking(call: Call): boolean {
  return call.status !== "ended";
}
