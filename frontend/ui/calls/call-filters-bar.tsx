"use client";

import { CALL_STATUSES, type CallFilters } from "@/lib/call-filters";
import type { Queue } from "@/lib/contracts";
import { statusLabel } from "./status-label";

export function CallFiltersBar({
  filters,
  queues,
  onChange,
}: {
  filters: CallFilters;
  queues: readonly Queue[];
  onChange: (filters: CallFilters) => void;
}) {
  const knownQueue = !filters.queueId || queues.some((q) => q.id === filters.queueId);
  return (
    <div className="filters" role="group" aria-label="Filters">
      <label>
        Status
        <select
          aria-label="Status"
          value={filters.status}
          onChange={(e) => onChange({ ...filters, status: e.target.value as CallFilters["status"] })}
        >
          <option value="">All</option>
          <option value="live">Live (not ended)</option>
          {CALL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Queue
        <select aria-label="Queue" value={filters.queueId} onChange={(e) => onChange({ ...filters, queueId: e.target.value })}>
          <option value="">All queues</option>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name} ({q.id})
            </option>
          ))}
          {knownQueue ? null : <option value={filters.queueId}>{filters.queueId}</option>}
        </select>
      </label>
    </div>
  );
}
