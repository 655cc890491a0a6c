"""What the soak recorded, and how it is judged and printed: the per-minute table, the one
summary line to compare between runs, and the JSON kept in bench/results/."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024
EventKey = tuple[str, int]  # (call_id, seq): one event of one call


@dataclass(frozen=True)
class Expected:
    """An event the API accepted (201): when its request started and which rooms must see it."""

    start: float
    rooms: frozenset[str]


@dataclass
class SocketLog:
    """What one socket received; `first` holds the receipt time of each event."""

    name: str
    rooms: frozenset[str]
    first: dict[EventKey, float] = field(default_factory=dict)
    last_seq: dict[str, int] = field(default_factory=dict)
    duplicates: list[EventKey] = field(default_factory=list)
    out_of_order: list[tuple[EventKey, int]] = field(default_factory=list)
    disconnects: int = 0

    def receive(self, call_id: str, seq: int, at: float) -> None:
        key = (call_id, seq)
        if key in self.first:
            self.duplicates.append(key)
            return
        self.first[key] = at
        last = self.last_seq.get(call_id, 0)
        if seq < last:
            self.out_of_order.append((key, last))
        else:
            self.last_seq[call_id] = seq

    def wants(self, expected: Expected) -> bool:
        return not self.rooms.isdisjoint(expected.rooms)

    def missing(self, expected: dict[EventKey, Expected]) -> list[EventKey]:
        return [k for k, e in expected.items() if k not in self.first and self.wants(e)]


@dataclass
class Recorder:
    """Everything the soak measures, filled in while it runs."""

    t0: float
    expected: dict[EventKey, Expected] = field(default_factory=dict)
    sockets: list[SocketLog] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    posts_per_minute: Counter[int] = field(default_factory=Counter)
    errors_per_minute: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    replays: int = 0
    invalid: int = 0
    outbox: list[dict[str, Any]] = field(default_factory=list)
    rss: list[dict[str, Any]] = field(default_factory=list)
    scheduler_lag_max_s: float = 0.0

    def minute(self, at: float) -> int:
        return int((at - self.t0) // 60)

    def error(self, at: float, message: str) -> None:
        self.error_count += 1
        self.errors_per_minute[self.minute(at)] += 1
        if len(self.errors) < 50:
            self.errors.append(f"{at - self.t0:8.2f}s {message}")


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    index = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[index]


def _ms(value: float) -> float | None:
    return None if math.isnan(value) else round(value * 1000, 2)


def analyse(rec: Recorder, duration_s: float, *, interrupted: bool) -> dict[str, Any]:
    """The results as one JSON-able dict."""
    latencies: dict[int, list[float]] = defaultdict(list)
    lost: list[dict[str, Any]] = []
    lost_count = 0
    for sock in rec.sockets:
        for key, exp in rec.expected.items():
            if not sock.wants(exp):
                continue
            at = sock.first.get(key)
            if at is None:
                lost_count += 1
                if len(lost) < 50:
                    lost.append({"socket": sock.name, "call_id": key[0], "seq": key[1]})
            else:
                latencies[rec.minute(exp.start)].append(at - exp.start)
    unexpected = sum(1 for s in rec.sockets for k in s.first if k not in rec.expected)
    duplicated = sum(len(s.duplicates) for s in rec.sockets)
    out_of_order = sum(len(s.out_of_order) for s in rec.sockets)

    minutes_run = max(1, math.ceil(duration_s / 60))
    minutes: list[dict[str, Any]] = []
    for m in range(minutes_run):
        values = sorted(latencies.get(m, []))
        window = [s for s in rec.outbox if m * 60 <= s["t"] < (m + 1) * 60]
        rss_in = [s for s in rec.rss if s["t"] < (m + 1) * 60]
        minutes.append(
            {
                "minute": m + 1,
                "posts": rec.posts_per_minute.get(m, 0),
                "errors": rec.errors_per_minute.get(m, 0),
                "deliveries": len(values),
                "p50_ms": _ms(_percentile(values, 0.50)),
                "p99_ms": _ms(_percentile(values, 0.99)),
                "max_ms": _ms(values[-1]) if values else None,
                "outbox_max": max((s["pending"] for s in window), default=None),
                "rss_mb": rss_in[-1]["mb"] if rss_in else {},
            }
        )
    every = sorted(v for vs in latencies.values() for v in vs)
    p99s = [m["p99_ms"] for m in minutes if m["p99_ms"] is not None]
    rss_first = rec.rss[0]["mb"] if rec.rss else {}
    rss_last = rec.rss[-1]["mb"] if rec.rss else {}
    rss = {
        name: {
            "start_mb": rss_first.get(name),
            "end_mb": rss_last.get(name),
            "growth_mb": round(rss_last[name] - rss_first[name], 1)
            if name in rss_first and name in rss_last
            else None,
        }
        for name in rss_last
    }
    # Steady growth shows as a rise from the end of the warm-up minute to the end.
    after_warmup = [s for s in rec.rss if s["t"] >= 60]
    for name, entry in rss.items():
        if after_warmup and len(rec.rss) > 1:
            entry["after_first_minute_mb"] = after_warmup[0]["mb"].get(name)
    return {
        "interrupted": interrupted,
        "duration_min": round(duration_s / 60, 2),
        "events": len(rec.expected),
        "posts": sum(rec.posts_per_minute.values()),
        "replays": rec.replays,
        "invalid_posts": rec.invalid,
        "http_statuses": dict(sorted(rec.statuses.items())),
        "errors": rec.error_count,
        "error_samples": rec.errors,
        "lost": lost_count,
        "lost_samples": lost,
        "duplicated": duplicated,
        "duplicate_samples": [
            {"socket": s.name, "call_id": k[0], "seq": k[1]}
            for s in rec.sockets
            for k in s.duplicates[:10]
        ][:50],
        "out_of_order": out_of_order,
        "unexpected_events": unexpected,
        "socket_disconnects": sum(s.disconnects for s in rec.sockets),
        "deliveries": len(every),
        "p50_ms": _ms(_percentile(every, 0.50)),
        "p99_ms": _ms(_percentile(every, 0.99)),
        "max_ms": _ms(every[-1]) if every else None,
        "p99_max_minute_ms": max(p99s) if p99s else None,
        "scheduler_lag_max_ms": round(rec.scheduler_lag_max_s * 1000, 1),
        "minutes": minutes,
        "rss": rss,
        "outbox_max": max((s["pending"] for s in rec.outbox), default=0),
        "outbox_samples": rec.outbox,
        "rss_samples": rec.rss,
    }


def failed(results: dict[str, Any]) -> bool:
    return bool(
        results["errors"] or results["lost"] or results["duplicated"] or results["out_of_order"]
    )


def table(results: dict[str, Any]) -> str:
    names = list(results["rss"])
    header = (
        f"{'min':>3} {'posts':>6} {'err':>4} {'deliveries':>10} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'outbox':>6}  " + " ".join(f"{n + ' MB':>11}" for n in names)
    )
    lines = [header]

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    for m in results["minutes"]:
        outbox = "-" if m["outbox_max"] is None else str(m["outbox_max"])
        lines.append(
            f"{m['minute']:>3} {m['posts']:>6} {m['errors']:>4} {m['deliveries']:>10}"
            f" {num(m['p50_ms']):>8} {num(m['p99_ms']):>8} {num(m['max_ms']):>8} {outbox:>6}  "
            + " ".join(f"{num(m['rss_mb'].get(n)):>11}" for n in names)
        )
    return "\n".join(lines)


def summary_line(results: dict[str, Any]) -> str:
    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    rss = " ".join(
        f"{name} {num(r['start_mb'])}→{num(r['end_mb'])} MB" for name, r in results["rss"].items()
    )
    line = (
        f"soak: {results['duration_min']:.1f} min, {results['events']:,} events,"
        f" {results['errors']:,} errors, {results['lost']:,} lost,"
        f" {results['duplicated']:,} duplicated, {results['out_of_order']:,} out of order,"
        f" p99 {num(results['p99_ms'])} ms (max-minute {num(results['p99_max_minute_ms'])} ms),"
        f" rss {rss}, outbox max {results['outbox_max']:,}"
    )
    return line + (" (interrupted)" if results["interrupted"] else "")
