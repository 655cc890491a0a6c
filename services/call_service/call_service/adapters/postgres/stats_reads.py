"""KPI inputs for GET /api/stats: one aggregate query per request, grouped by queue.

For each queue, a lateral subquery counts and sums the calls offered in the window
with FILTER clauses. It is a range scan of `calls_queue_start_kpi_idx`
(queue_id, start_time) whose INCLUDE columns hold everything the sums read, so
on a vacuumed table it never touches the heap. A second lateral subquery counts
the calls waiting now (any start time) through the status index. Ratios are left
to `domain.kpis`; the SQL only applies the per-call definitions documented there.
"""

from datetime import datetime
from typing import Any

from call_service.domain.kpis import WindowCounts
from call_service.service.read_ports import QueueWindow

# wait_time is sent by the producer on call_answered; answered_at - start_time is
# the fallback for a call answered without one.
_WAIT = "COALESCE(c.wait_time, date_part('epoch', c.answered_at - c.start_time))"
_ANSWERED = "c.answered_at IS NOT NULL"
_ABANDONED = "c.end_reason = 'abandoned' AND c.answered_at IS NULL"
_HANDLED = "c.answered_at IS NOT NULL AND c.end_time IS NOT NULL"

QUEUE_WINDOW_STATS = f"""
SELECT q.id AS queue_id,
       q.service_level_includes_abandoned AS includes_abandoned,
       w.*, l.waiting_now, l.oldest_waiting_since
FROM queues q
CROSS JOIN LATERAL (
    SELECT count(*) AS offered,
           count(*) FILTER (WHERE {_ANSWERED}) AS answered,
           count(*) FILTER (WHERE {_ANSWERED} AND {_WAIT} <= q.sla_seconds)
               AS answered_within_sla,
           count(*) FILTER (WHERE {_ABANDONED}) AS abandoned,
           count(*) FILTER (WHERE {_ABANDONED} AND
               date_part('epoch', c.end_time - c.start_time) < q.short_abandon_seconds)
               AS short_abandons,
           COALESCE(sum({_WAIT}) FILTER (WHERE {_ANSWERED}), 0) AS wait_total_s,
           count(*) FILTER (WHERE {_HANDLED}) AS handled,
           COALESCE(sum(date_part('epoch', c.end_time - c.answered_at))
               FILTER (WHERE {_HANDLED}), 0) AS handle_total_s,
           COALESCE(sum(c.hold_total) FILTER (WHERE {_HANDLED}), 0) AS hold_total_s,
           count(*) FILTER (WHERE {_HANDLED} AND c.transfer_count > 0) AS transferred
    FROM calls c
    WHERE c.queue_id = q.id AND c.start_time >= $1 AND c.start_time < $2
) w
CROSS JOIN LATERAL (
    SELECT count(*) AS waiting_now, min(c.start_time) AS oldest_waiting_since
    FROM calls c
    WHERE c.queue_id = q.id AND c.status IN ('waiting', 'routed')
) l
WHERE $3::text IS NULL OR q.id = $3::text
ORDER BY q.id
"""  # noqa: S608 - fragments are constants; every value is bound

# The planner guesses hundreds of rows for the never-analysed few-row queues table,
# so the estimate crosses jit_above_cost and each execution would spend 150-200 ms
# compiling (measured by bench/kpi_stats.py) for a 5-30 ms scan.
NO_JIT = "SET LOCAL jit = off"

_COUNT_FIELDS = (
    "offered",
    "answered",
    "answered_within_sla",
    "abandoned",
    "short_abandons",
    "handled",
    "transferred",
)
_SUM_FIELDS = ("wait_total_s", "handle_total_s", "hold_total_s")


def _queue_window(row: Any) -> QueueWindow:
    values: dict[str, Any] = {name: int(row[name]) for name in _COUNT_FIELDS}
    values.update({name: float(row[name]) for name in _SUM_FIELDS})
    counts = WindowCounts(**values)
    return QueueWindow(
        queue_id=row["queue_id"],
        includes_abandoned=row["includes_abandoned"],
        counts=counts,
        waiting_now=int(row["waiting_now"]),
        oldest_waiting_since=row["oldest_waiting_since"],
    )


class PostgresStatsReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def queue_windows(
        self, start: datetime, end: datetime, queue_id: str | None = None
    ) -> list[QueueWindow]:
        """Calls with start <= start_time < end, per queue (every queue, or only
        `queue_id`); an empty list means the queue does not exist."""
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            await conn.execute(NO_JIT)
            rows = await conn.fetch(QUEUE_WINDOW_STATS, start, end, queue_id)
        return [_queue_window(r) for r in rows]
