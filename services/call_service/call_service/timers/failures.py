"""A timer that fails to fire is retried later, and never stops the others.

Anything a timer's firing raises, except PostgreSQL being unreachable (which
stops the whole tick: no timer can fire then), is a broken timer: a bug, or a
row the code cannot read. Its due time is pushed forward in the database by a
delay that doubles with each failure (`TimerRetryPolicy`), so it is retried
after a restart too, and the worker goes on with the next timer.

The log line names the timer (call id and kind), the error's class and where it
was raised — never the error's message, which may quote the call's data.
"""

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from prometheus_client import Counter, Gauge

from call_service.domain.timers import TimerKind
from call_service.service.timer_ports import TimerSchedule

_log = structlog.get_logger(__name__)
FIRE_FAILURES = Counter(
    "timers_fire_failures_total", "Timer firings that raised; each is retried later.", ["timer"]
)
FAILING = Gauge(
    "timers_failing",
    "Timers whose last firing failed and that have not fired or been re-armed since.",
)


@dataclass(frozen=True)
class TimerRetryPolicy:
    base_delay_s: float = 1.0
    """The first retry's delay; it doubles per failure of the same armed timer."""
    max_delay_s: float = 300.0
    count_failing_every_s: float = 5.0
    """How often the worker recounts failing timers for `timers_failing`."""


class TimerFailures:
    """Records failed firings and keeps the `timers_failing` gauge current."""

    def __init__(
        self,
        schedule: TimerSchedule,
        policy: TimerRetryPolicy,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._schedule = schedule
        self._policy = policy
        self._monotonic = monotonic
        self._next_count_at = 0.0

    async def record(self, call_id: str, kind: TimerKind, now: datetime, exc: Exception) -> None:
        error = type(exc).__name__
        retry = await self._schedule.record_failure(
            call_id, kind, now, error, self._policy.base_delay_s, self._policy.max_delay_s
        )
        FIRE_FAILURES.labels(kind.value).inc()
        _log.error(
            "timer_fire_failed",
            call_id=call_id,
            timer=kind.value,
            error=error,
            where=_raised_at(exc),
            attempt=retry.attempts if retry else None,
            retry_at=retry.due_at.isoformat() if retry else None,
        )
        self._next_count_at = 0.0  # show it at once

    async def refresh_gauge(self) -> None:
        """Recount failing timers, at most every `count_failing_every_s`."""
        now = self._monotonic()
        if now < self._next_count_at:
            return
        FAILING.set(await self._schedule.count_failing())
        self._next_count_at = now + self._policy.count_failing_every_s


def _raised_at(exc: BaseException) -> str:
    """`file:line` of the frame that raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"
