"""The timer worker's loop: fire what is due, then sleep until the next due time.

It polls at least every `max_sleep_s` (default 0.25 s), so a timer armed by
another process fires within that of its due time without any notification,
and a timer that fell due while no worker ran fires on the first tick. A timer
whose firing raises is retried later and the others go on (`failures.py`).
"""

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

import structlog
from prometheus_client import Counter

from call_service.service.errors import InfrastructureUnavailable
from call_service.service.fire_timer import fire_timer
from call_service.service.ports import Clock, UnitOfWorkFactory
from call_service.service.timer_ports import TimerSchedule
from call_service.timers.failures import TimerFailures, TimerRetryPolicy

BATCH = 200
_log = structlog.get_logger(__name__)
FIRED = Counter("timers_fired_total", "System events written by due timers.", ["type"])


@dataclass(frozen=True)
class TimerParts:
    """What the composition root (timers/worker.py) hands the loop."""

    units_of_work: UnitOfWorkFactory
    schedule: TimerSchedule
    clock: Clock
    unavailable: tuple[type[BaseException], ...]
    """What the database raises while unreachable, besides InfrastructureUnavailable."""


async def run_timer_loop(
    parts: TimerParts, stop: asyncio.Event, max_sleep_s: float, retry: TimerRetryPolicy
) -> None:
    clock, schedule = parts.clock, parts.schedule
    unavailable: tuple[type[BaseException], ...] = (InfrastructureUnavailable, *parts.unavailable)
    failures = TimerFailures(schedule, retry)
    while not stop.is_set():
        delay = max_sleep_s
        try:
            due = await schedule.due(clock.now(), BATCH)
            for call_id, kind in due:
                try:
                    fired = await fire_timer(parts.units_of_work, clock, call_id, kind)
                except unavailable:
                    raise
                except Exception as exc:  # noqa: BLE001 - a broken timer is retried, logged
                    await failures.record(call_id, kind, clock.now(), exc)
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
            await failures.refresh_gauge()
            if len(due) < BATCH:
                delay = _until(await schedule.next_due_at(), clock.now(), max_sleep_s)
            else:
                delay = 0
        except unavailable as exc:
            _log.warning("timers_database_unavailable", error=type(exc).__name__)
            delay = 1.0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)


def _until(next_due: datetime | None, now: datetime, cap: float) -> float:
    if next_due is None:
        return cap
    return min(cap, max(0.0, (next_due - now).total_seconds()))
