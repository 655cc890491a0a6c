"""call_timers as the timer worker's `TimerSchedule` port: each call on a pooled connection."""

from datetime import datetime
from typing import Any

from call_service.adapters.postgres.timers_repository import (
    count_failing,
    due_timers,
    next_due_at,
    record_failure,
)
from call_service.domain.timers import TimerKind
from call_service.service.timer_ports import TimerRetry


class PostgresTimerSchedule:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def due(self, now: datetime, limit: int) -> list[tuple[str, TimerKind]]:
        async with self._pool.acquire() as conn:
            return await due_timers(conn, now, limit)

    async def next_due_at(self) -> datetime | None:
        async with self._pool.acquire() as conn:
            return await next_due_at(conn)

    async def record_failure(
        self,
        call_id: str,
        kind: TimerKind,
        now: datetime,
        error: str,
        base_delay_s: float,
        max_delay_s: float,
    ) -> TimerRetry | None:
        async with self._pool.acquire() as conn:
            return await record_failure(conn, call_id, kind, now, error, base_delay_s, max_delay_s)

    async def count_failing(self) -> int:
        async with self._pool.acquire() as conn:
            return await count_failing(conn)
