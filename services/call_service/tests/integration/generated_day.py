"""A generated day of traffic for the KPI tests, and its KPIs computed independently.

The expected values are worked out here in plain Python from the generated calls,
with the industry definitions written out again: not with the service's SQL nor
with its `domain.kpis` module, so a mistake in either shows up as a mismatch.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

NOW = datetime(2021, 3, 5, tzinfo=UTC)
DAY_START = NOW - timedelta(hours=24)
# id: (sla_seconds, short_abandon_seconds, service_level_includes_abandoned)
QUEUES = {"kpi-a": (30.0, 5.0, True), "kpi-b": (20.0, 10.0, False), "kpi-c": (45.0, 0.0, True)}


class FixedClock:
    """The app's clock stopped at one instant, so "now" windows are reproducible."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


@dataclass(frozen=True)
class Generated:
    id: str
    queue_id: str
    status: str
    start_time: datetime
    answered_at: datetime | None = None
    end_time: datetime | None = None
    end_reason: str | None = None
    wait_time: float | None = None
    hold_total: float = 0.0
    transfer_count: int = 0


def generate_call(rng: random.Random, n: int, start: datetime, queue_id: str) -> Generated:
    """One call with a random outcome; waits on a 0.1 s grid so some equal the SLA."""
    base = Generated(f"gen-{n}", queue_id, "ended", start)
    outcome = rng.choices(
        ["handled", "talking", "abandoned", "failed", "waiting", "routed"],
        weights=[60, 5, 20, 5, 5, 5],
    )[0]
    if outcome in {"waiting", "routed"}:
        return Generated(**{**base.__dict__, "status": outcome})
    if outcome in {"abandoned", "failed"}:
        in_system = timedelta(seconds=rng.randint(0, 90))
        return Generated(**{**base.__dict__, "end_time": start + in_system, "end_reason": outcome})
    wait = rng.randint(0, 600) / 10
    answered_at = start + timedelta(seconds=wait)
    if outcome == "talking":
        return Generated(
            **{**base.__dict__, "status": "active", "answered_at": answered_at, "wait_time": wait}
        )
    handle = timedelta(milliseconds=rng.randint(5_000, 900_000))
    return Generated(
        **{
            **base.__dict__,
            "answered_at": answered_at,
            "wait_time": wait,
            "end_time": answered_at + handle,
            # An answered call the caller hung up on is handled, not abandoned.
            "end_reason": rng.choice(["completed"] * 8 + ["abandoned", "failed"]),
            "hold_total": rng.choice([0.0, 0.0, rng.randint(1, 1200) / 10]),
            "transfer_count": rng.choice([0, 0, 0, 1, 2]),
        }
    )


def generate_traffic(seed: int, count: int) -> list[Generated]:
    """`count` calls over the day, plus calls just outside it and on its edges."""
    rng = random.Random(seed)
    starts = [
        DAY_START + timedelta(microseconds=rng.randrange(86_400 * 10**6)) for _ in range(count)
    ]
    starts += [DAY_START, NOW, DAY_START - timedelta(seconds=1), NOW + timedelta(hours=1)]
    starts += [DAY_START - timedelta(hours=rng.randint(1, 48)) for _ in range(count // 20)]
    return [generate_call(rng, n, s, rng.choice(sorted(QUEUES))) for n, s in enumerate(starts)]


def is_abandoned(c: Generated) -> bool:
    return c.end_reason == "abandoned" and c.answered_at is None


def is_short_abandon(c: Generated) -> bool:
    assert c.end_time is not None
    return (c.end_time - c.start_time).total_seconds() < QUEUES[c.queue_id][1]


def is_within_sla(c: Generated) -> bool:
    return c.wait_time is not None and c.wait_time <= QUEUES[c.queue_id][0]


def handle_time_s(c: Generated) -> float:
    assert c.end_time is not None
    assert c.answered_at is not None
    return (c.end_time - c.answered_at).total_seconds()


def counts_for_service_level(c: Generated) -> bool:
    """Answered, or abandoned (not short) in a queue that counts abandons."""
    if c.answered_at is not None:
        return True
    return QUEUES[c.queue_id][2] and is_abandoned(c) and not is_short_abandon(c)


Expected = dict[str | None, dict[str, Any]]


def expected_stats(calls: list[Generated], queue_ids: list[str]) -> Expected:
    """Each KPI by its definition, over the calls offered in [DAY_START, NOW)."""
    result: Expected = {}
    groups: dict[str | None, list[Generated]] = {
        **{q: [c for c in calls if c.queue_id == q] for q in queue_ids},
        None: calls,
    }
    for key, group in groups.items():
        offered = [c for c in group if DAY_START <= c.start_time < NOW]
        answered = [c for c in offered if c.answered_at is not None]
        handled = [c for c in answered if c.end_time is not None]
        abandoned = [c for c in offered if is_abandoned(c)]
        within = sum(1 for c in answered if is_within_sla(c))
        live = [c for c in group if c.status in {"waiting", "routed"}]
        sl_base = sum(1 for c in offered if counts_for_service_level(c))
        n_short = sum(1 for c in abandoned if is_short_abandon(c))
        result[key] = {
            "waiting_now": len(live),
            "longest_current_wait_s": max((NOW - c.start_time).total_seconds() for c in live)
            if live
            else None,
            "offered": len(offered),
            "answered": len(answered),
            "abandoned": len(abandoned),
            "short_abandons": n_short,
            "answered_within_sla": within,
            "service_level": within / sl_base if sl_base else None,
            "asa_s": sum(c.wait_time or 0 for c in answered) / len(answered) if answered else None,
            "aht_s": sum(handle_time_s(c) for c in handled) / len(handled) if handled else None,
            "abandonment_rate": (len(abandoned) - n_short) / len(offered) if offered else None,
            "average_hold_s": sum(c.hold_total for c in handled) / len(handled)
            if handled
            else None,
            "transfer_rate": sum(1 for c in handled if c.transfer_count > 0) / len(handled)
            if handled
            else None,
        }
    return result


async def insert_traffic(database_url: str, calls: list[Generated]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for queue_id, (sla, short_abandon, includes) in QUEUES.items():
            await conn.execute(
                "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
                " short_call_seconds, short_abandon_seconds, service_level_includes_abandoned)"
                " VALUES ($1, $1, $2, 15, 60, 10, $3, $4)",
                queue_id,
                sla,
                short_abandon,
                includes,
            )
        await conn.copy_records_to_table(
            "calls",
            columns=[
                "id", "status", "queue_id", "media", "start_time", "answered_at", "end_time",
                "end_reason", "wait_time", "hold_total", "transfer_count", "last_seq", "updated_at",
            ],
            records=[
                (c.id, c.status, c.queue_id, "voice", c.start_time, c.answered_at, c.end_time,
                 c.end_reason, c.wait_time, c.hold_total, c.transfer_count, 1, NOW)
                for c in calls
            ],
        )  # fmt: skip
    finally:
        await conn.close()
