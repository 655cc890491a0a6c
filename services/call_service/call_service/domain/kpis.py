"""Contact-center KPI formulas over a window's aggregates: pure ratios, no I/O, no clock.

The database sums and counts (one pass over the window's calls); this module turns
those totals into the industry ratios, so each definition lives in one documented
place and is unit-tested on hand-made numbers. Every ratio whose denominator is zero
is None ("no data"), never a crash and never a misleading 0 or 100 %.

Definitions of the per-call facts the counts are built from (the SQL applies them):

- offered: the call's `start_time` lies in the window.
- answered: `answered_at` is set.
- answered within SLA: answered with `wait_time` <= the queue's `sla_seconds`.
- abandoned: ended with `end_reason = abandoned` and never answered.
- short abandon: abandoned whose time in system (`end_time - start_time`) is below
  the queue's `short_abandon_seconds` (a caller who hung up at once: not a failure
  of the center, so excluded from service level and abandonment rate).
- handled: answered and ended; its handle time is `end_time - answered_at`
  (talk + hold), its hold is `hold_total`, and it is transferred if
  `transfer_count > 0`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class WindowCounts:
    """Counts and sums of one queue's (or all queues') calls offered in a window."""

    offered: int = 0
    answered: int = 0
    answered_within_sla: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    wait_total_s: float = 0.0
    """Sum of `wait_time` over answered calls."""
    handled: int = 0
    handle_total_s: float = 0.0
    """Sum of `end_time - answered_at` (talk + hold) over handled calls."""
    hold_total_s: float = 0.0
    """Sum of `hold_total` over handled calls."""
    transferred: int = 0
    """Handled calls with at least one transfer."""

    def __add__(self, other: "WindowCounts") -> "WindowCounts":
        return WindowCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class Kpis:
    service_level: float | None
    asa_s: float | None
    aht_s: float | None
    abandonment_rate: float | None
    average_hold_s: float | None
    transfer_rate: float | None


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator > 0 else None


def service_level_base(counts: WindowCounts, includes_abandoned: bool) -> int:
    """Denominator of service level.

    answered + abandoned - short abandons when the queue counts abandons against
    the SLA (the default), or answered alone when it excludes them, as the large
    contact-center platforms let each queue choose.
    """
    if not includes_abandoned:
        return counts.answered
    return counts.answered + counts.abandoned - counts.short_abandons


def service_level(answered_within_sla: int, base: int) -> float | None:
    """Share of the calls that count for the SLA that were answered within it."""
    return ratio(answered_within_sla, base)


def average_speed_of_answer(counts: WindowCounts) -> float | None:
    """ASA: total wait of answered calls / answered calls, in seconds."""
    return ratio(counts.wait_total_s, counts.answered)


def average_handle_time(counts: WindowCounts) -> float | None:
    """AHT: (talk + hold) of handled calls / handled calls, in seconds."""
    return ratio(counts.handle_total_s, counts.handled)


def abandonment_rate(counts: WindowCounts) -> float | None:
    """Abandoned calls, short abandons excluded, / offered calls."""
    return ratio(counts.abandoned - counts.short_abandons, counts.offered)


def average_hold(counts: WindowCounts) -> float | None:
    """Total hold of handled calls / handled calls, in seconds."""
    return ratio(counts.hold_total_s, counts.handled)


def transfer_rate(counts: WindowCounts) -> float | None:
    """Handled calls transferred at least once / handled calls."""
    return ratio(counts.transferred, counts.handled)


def kpis(counts: WindowCounts, sl_base: int) -> Kpis:
    """Every KPI of one set of counts; `sl_base` comes from `service_level_base`."""
    return Kpis(
        service_level=service_level(counts.answered_within_sla, sl_base),
        asa_s=average_speed_of_answer(counts),
        aht_s=average_handle_time(counts),
        abandonment_rate=abandonment_rate(counts),
        average_hold_s=average_hold(counts),
        transfer_rate=transfer_rate(counts),
    )


def queue_kpis(counts: WindowCounts, includes_abandoned: bool) -> Kpis:
    return kpis(counts, service_level_base(counts, includes_abandoned))


def overall_kpis(
    queues: Iterable[tuple[WindowCounts, bool]],
) -> tuple[WindowCounts, Kpis]:
    """Totals and KPIs across queues, each given with its `includes_abandoned`.

    Counts add up; the service-level denominator is the sum of each queue's own
    denominator, so a queue that excludes abandons keeps doing so in the total.
    """
    total = WindowCounts()
    base = 0
    for counts, includes_abandoned in queues:
        total += counts
        base += service_level_base(counts, includes_abandoned)
    return total, kpis(total, base)
