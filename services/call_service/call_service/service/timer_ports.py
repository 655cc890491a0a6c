"""What the timer worker needs besides the unit of work: the schedule of due timers."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from call_service.domain.timers import TimerKind


@dataclass(frozen=True)
class TimerRetry:
    attempts: int
    """Failures since the timer was (re)armed, this one included."""
    due_at: datetime


class TimerSchedule(Protocol):
    """The durable timers, read outside any call's lock (firing one locks its call)."""

    async def due(self, now: datetime, limit: int) -> list[tuple[str, TimerKind]]:
        """Up to `limit` timers due at `now`, oldest first, as (call id, kind)."""

    async def next_due_at(self) -> datetime | None:
        """When the next timer falls due; None when none is armed."""

    async def record_failure(
        self,
        call_id: str,
        kind: TimerKind,
        now: datetime,
        error: str,
        base_delay_s: float,
        max_delay_s: float,
    ) -> TimerRetry | None:
        """Push a timer that failed to fire forward by a delay that doubles per failure.

        None when the timer was re-armed meanwhile (it keeps its new due time) or is gone.
        """

    async def count_failing(self) -> int:
        """Timers whose last firing failed and that have neither fired nor been re-armed since."""
