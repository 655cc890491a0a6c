"""The timer worker's loop: fire what is due, then sleep until the next due time.

It polls at least every `max_sleep_s` (default 0.25 s), so a timer armed by
another process fires within that of its due time without any notification,
and a timer that fell due while no worker ran fires on the first tick. A timer
whose firing raises is retried later and the others go on (`failures.py`).
"""

import asyncio
import contextlib
from datetime import datetime

import structlog
from prometheus_client import Counter

from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.thresholds_cache import ThresholdsCache
from call_service.adapters.postgres.timers_repository import due_timers, next_due_at
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.postgres.unit_of_work import PostgresUnitOfWork
from call_service.service.errors import InfrastructureUnavailable
from call_service.service.fire_timer import fire_timer
from call_service.service.ports import Clock
from call_service.timers.failures import TimerFailures, TimerRetryPolicy

BATCH = 200
_UNAVAILABLE: tuple[type[BaseException], ...] = (InfrastructureUnavailable, *UNAVAILABLE_ERRORS)
_log = structlog.get_logger(__name__)
FIRED = Counter("timers_fired_total", "System events written by due timers.", ["type"])


async def run_timers(
    database_url: str,
    clock: Clock,
    stop: asyncio.Event,
    max_sleep_s: float = 0.25,
    retry: TimerRetryPolicy | None = None,
) -> None:
    pool = await create_pool(database_url, max_size=2)
    signal = CommitSignal(pool)
    thresholds = ThresholdsCache()
    failures = TimerFailures(retry or TimerRetryPolicy())

    def unit_of_work() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(pool, signal, thresholds)

    _log.info("timers_started")
    try:
        while not stop.is_set():
            delay = max_sleep_s
            try:
                async with pool.acquire() as conn:
                    due = await due_timers(conn, clock.now(), BATCH)
                for call_id, kind in due:
                    try:
                        fired = await fire_timer(unit_of_work, clock, call_id, kind)
                    except _UNAVAILABLE:
                        raise
                    except Exception as exc:  # noqa: BLE001 - a broken timer is retried, logged
                        await failures.record(pool, call_id, kind, clock.now(), exc)
                        continue
                    if fired is not None:
                        FIRED.labels(fired.event.type.value).inc()
                        _log.info(
                            "timer_fired",
                            call_id=call_id,
                            timer=kind.value,
                            event_type=fired.event.type.value,
                            seq=fired.event.seq,
                        )
                await failures.refresh_gauge(pool)
                if len(due) < BATCH:
                    async with pool.acquire() as conn:
                        delay = _until(await next_due_at(conn), clock.now(), max_sleep_s)
                else:
                    delay = 0
            except _UNAVAILABLE as exc:
                _log.warning("timers_database_unavailable", error=type(exc).__name__)
                delay = 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
    finally:
        await pool.close()
        _log.info("timers_stopped")


def _until(next_due: datetime | None, now: datetime, cap: float) -> float:
    if next_due is None:
        return cap
    return min(cap, max(0.0, (next_due - now).total_seconds()))
