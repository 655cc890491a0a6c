"""The timer worker's composition root: one pool, units of work, the timer schedule."""

import asyncio

import structlog

from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.timer_schedule import PostgresTimerSchedule
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.postgres.unit_of_work import PostgresUnitOfWork
from call_service.adapters.thresholds_cache import ThresholdsCache
from call_service.service.ports import Clock
from call_service.timers.failures import TimerRetryPolicy
from call_service.timers.loop import TimerParts, run_timer_loop

_log = structlog.get_logger(__name__)


async def run_timers(
    database_url: str,
    clock: Clock,
    stop: asyncio.Event,
    max_sleep_s: float = 0.25,
    retry: TimerRetryPolicy | None = None,
) -> None:
    """Fire due timers until `stop` is set."""
    pool = await create_pool(database_url, max_size=2)
    signal = CommitSignal(pool)
    thresholds = ThresholdsCache()

    def unit_of_work() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(pool, signal, thresholds)

    parts = TimerParts(unit_of_work, PostgresTimerSchedule(pool), clock, UNAVAILABLE_ERRORS)
    _log.info("timers_started")
    try:
        await run_timer_loop(parts, stop, max_sleep_s, retry or TimerRetryPolicy())
    finally:
        await pool.close()
        _log.info("timers_stopped")
