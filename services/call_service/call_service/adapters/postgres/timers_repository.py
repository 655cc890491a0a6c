"""call_timers: take a due timer under the call's lock (arming and cancelling happen in the
event's own statement, events_repository.RECORD_EVENT).

Lock order is always call row, then timer row — the same in the event
transaction and in the worker — so the two never deadlock.
"""

from datetime import datetime
from typing import Any

from call_service.domain.timers import TimerKind

TAKE_DUE = """
DELETE FROM call_timers WHERE call_id = $1 AND kind = $2 AND due_at <= $3 RETURNING due_at
"""
DUE = """
SELECT call_id, kind FROM call_timers WHERE due_at <= $1 ORDER BY due_at LIMIT $2
"""
NEXT_DUE = "SELECT min(due_at) FROM call_timers"


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
