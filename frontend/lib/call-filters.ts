/** The live-calls filters, as they appear in the URL query (`?status=live&queue=x`). */
import type { Call, CallStatus } from "./contracts";

export const CALL_STATUSES: readonly CallStatus[] = ["waiting", "routed", "active", "on_hold", "ended"];

export type StatusFilter = "" | "live" | CallStatus;

export interface CallFilters {
  status: StatusFilter;
  queueId: string;
}

export function parseFilters(query: URLSearchParams): CallFilters {
  const raw = query.get("status") ?? "";
  const status: StatusFilter =
    raw === "live" || (CALL_STATUSES as readonly string[]).includes(raw) ? (raw as StatusFilter) : "";
  return { status, queueId: query.get("queue") ?? "" };
}

export function filtersToQuery(filters: CallFilters): string {
  const query = new URLSearchParams();
  if (filters.status) query.set("status", filters.status);
  if (filters.queueId) query.set("queue", filters.queueId);
  const text = query.toString();
  return text ? `?${text}` : "";
}

export function matchesFilters(call: Call, filters: CallFilters): boolean {
  if (filters.queueId && call.queue_id !== filters.queueId) return false;
  if (filters.status === "live") return call.status !== "ended";
  if (filters.status) return call.status === filters.status;
  return true;
}

/** The Socket.io room that carries every event the list can show. */
export function roomForFilters(filters: CallFilters): string {
  return filters.queueId ? `queue:${filters.queueId}` : "calls";
}
