"""call_timers: take a due timer under the call's lock (arming and cancelling happen in the
event's own statement, events_repository.RECORD_EVENT).

Lock order is always call row, then timer row — the same in the event
transaction and in the worker — so the two never deadlock. Recording a failed
firing locks the timer row alone, in a statement of its own.
"""

from datetime import datetime
from typing import Any

from call_service.domain.timers import TimerKind
from call_service.service.timer_ports import TimerRetry

TAKE_DUE = """
DELETE FROM call_timers WHERE call_id = $1 AND kind = $2 AND due_at <= $3 RETURNING due_at
"""
DUE = """
SELECT call_id, kind FROM call_timers WHERE due_at <= $1 ORDER BY due_at LIMIT $2
"""
NEXT_DUE = "SELECT min(due_at) FROM call_timers"
# Only while the timer is still the one that failed (due): a timer re-armed meanwhile
# keeps its new due time. The delay doubles per failure since it was (re)armed.
RECORD_FAILURE = """
UPDATE call_timers
SET fire_attempts = CASE WHEN failed_at >= armed_at THEN fire_attempts + 1 ELSE 1 END,
    due_at = $3 + make_interval(secs => least(
        $5 * power(2, CASE WHEN failed_at >= armed_at THEN fire_attempts ELSE 0 END), $6)),
    failed_at = now(),
    last_error = left($4, 200)
WHERE call_id = $1 AND kind = $2 AND due_at <= $3
RETURNING fire_attempts, due_at
"""
COUNT_FAILING = "SELECT count(*) FROM call_timers WHERE failed_at >= armed_at"


class PostgresTimersRepository:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def take_due(self, call_id: str, kind: TimerKind, now: datetime) -> datetime | None:
        """Remove the timer if it is (still) due; its due time, or None if it is not."""
        due: datetime | None = await self._conn.fetchval(TAKE_DUE, call_id, kind.value, now)
        return due


async def due_timers(conn: Any, now: datetime, limit: int) -> list[tuple[str, TimerKind]]:
    """Due timers, oldest first, read without locking (the firing transaction locks)."""
    return [(r["call_id"], TimerKind(r["kind"])) for r in await conn.fetch(DUE, now, limit)]


async def next_due_at(conn: Any) -> datetime | None:
    due: datetime | None = await conn.fetchval(NEXT_DUE)
    return due


async def record_failure(
    conn: Any,
    call_id: str,
    kind: TimerKind,
    now: datetime,
    error: str,
    base_delay_s: float,
    max_delay_s: float,
) -> TimerRetry | None:
    """Push a timer that failed to fire forward; None if it was re-armed or is gone."""
    row = await conn.fetchrow(
        RECORD_FAILURE, call_id, kind.value, now, error, base_delay_s, max_delay_s
    )
    return TimerRetry(row["fire_attempts"], row["due_at"]) if row is not None else None


async def count_failing(conn: Any) -> int:
    """Timers whose last firing failed and that have neither fired nor been re-armed since."""
    failing: int = await conn.fetchval(COUNT_FAILING)
    return failing
