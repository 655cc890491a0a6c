"""Use case of GET /api/stats: KPIs per queue and overall over a window of call start times.

A window is either a named span ending now (`15m`, `1h`, `24h`; `1h` when nothing is
asked) or an explicit [from, to); the two forms exclude each other, `from` must be
before `to`, and the span is at most 31 days. Calls count in the window their
`start_time` falls in, wherever they are now. The ratios come from domain/kpis.py.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from call_service.domain.kpis import Kpis, WindowCounts, overall_kpis, queue_kpis
from call_service.service.ports import Clock
from call_service.service.read_ports import QueueWindow, StatsReads
from contracts.stats import QueueStats, Stats, StatsWindow

WindowName = Literal["15m", "1h", "24h"]
WINDOWS: dict[WindowName, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
}
DEFAULT_WINDOW: WindowName = "1h"
MAX_SPAN = timedelta(days=31)


@dataclass(frozen=True)
class WindowAsked:
    """The window as the client gave it: a name, or `start`/`end`, or nothing."""

    name: WindowName | None = None
    start: datetime | None = None
    end: datetime | None = None


class InvalidWindow(ValueError):
    """The window asked for breaks a rule; `parameter` is the one at fault."""

    def __init__(self, parameter: Literal["window", "from", "to"], reason: str) -> None:
        super().__init__(reason)
        self.parameter = parameter
        self.reason = reason


def resolve_window(asked: WindowAsked, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC, or InvalidWindow naming the parameter at fault."""
    if asked.start is None and asked.end is None:
        return now - WINDOWS[asked.name or DEFAULT_WINDOW], now
    if asked.name is not None:
        raise InvalidWindow("window", "give either window or from/to, not both")
    if asked.start is None:
        raise InvalidWindow("from", "required with to")
    if asked.end is None:
        raise InvalidWindow("to", "required with from")
    start, end = asked.start.astimezone(UTC), asked.end.astimezone(UTC)
    if start >= end:
        raise InvalidWindow("to", "must be after from")
    if end - start > MAX_SPAN:
        raise InvalidWindow("to", f"the span may not exceed {MAX_SPAN.days} days")
    return start, end


async def query_stats(
    reads: StatsReads, clock: Clock, asked: WindowAsked, queue_id: str | None = None
) -> Stats | None:
    """The KPIs of every queue (or only `queue_id`); None when `queue_id` names no queue."""
    now = clock.now()
    start, end = resolve_window(asked, now)
    windows = await reads.queue_windows(start, end, queue_id)
    if queue_id is not None and not windows:
        return None
    return build_stats(windows, start, end, now)


def build_stats(windows: list[QueueWindow], start: datetime, end: datetime, now: datetime) -> Stats:
    """Each queue's KPIs, and the overall ones: counts add up across queues, and so does
    each queue's own service-level denominator (domain.kpis.overall_kpis)."""
    per_queue = [
        queue_stats(
            w.queue_id,
            w.counts,
            queue_kpis(w.counts, w.includes_abandoned),
            w.waiting_now,
            _wait_s(w.oldest_waiting_since, now),
        )
        for w in windows
    ]
    totals, kpis = overall_kpis((w.counts, w.includes_abandoned) for w in windows)
    oldest = min((w.oldest_waiting_since for w in windows if w.oldest_waiting_since), default=None)
    overall = queue_stats(
        None, totals, kpis, sum(w.waiting_now for w in windows), _wait_s(oldest, now)
    )
    return Stats(
        window=StatsWindow(from_=start, to=end),
        generated_at=now,
        overall=overall,
        queues=per_queue,
    )


def queue_stats(
    queue_id: str | None,
    counts: WindowCounts,
    kpis: Kpis,
    waiting_now: int,
    longest_wait_s: float | None,
) -> QueueStats:
    return QueueStats(
        queue_id=queue_id,
        waiting_now=waiting_now,
        longest_current_wait_s=longest_wait_s,
        offered=counts.offered,
        answered=counts.answered,
        abandoned=counts.abandoned,
        short_abandons=counts.short_abandons,
        answered_within_sla=counts.answered_within_sla,
        service_level=kpis.service_level,
        asa_s=kpis.asa_s,
        aht_s=kpis.aht_s,
        abandonment_rate=kpis.abandonment_rate,
        average_hold_s=kpis.average_hold_s,
        transfer_rate=kpis.transfer_rate,
    )


def _wait_s(oldest: datetime | None, now: datetime) -> float | None:
    """How long the oldest waiting call has waited by `now` (never negative)."""
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())
