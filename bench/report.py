"""The figures of a run: their targets (the performance targets listed in
docs/performance.md), their ratio to the raw limit, the printed table and the JSON. One list,
`specs()`, names every figure; a part that ran fills in values, a part that was skipped or
failed shows why on each of its rows."""

import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from context import Sizes

# The targets for the end-to-end rates; a rate not listed has none.
E2E_TARGETS = {500: {"p50": 5.0, "p99": 15.0}, 2000: {"p99": 50.0}}


@dataclass(frozen=True)
class Target:
    op: str  # ">=", "<", "=="
    value: float
    of: str | None = None
    """A figure's key: the target is then a share of that figure (0.4 = 40 %)."""

    def describe(self, unit: str) -> str:
        symbol = {">=": "≥", "<": "<", "==": "="}[self.op]
        if self.of is not None:
            return f"{symbol} {self.value * 100:.0f} % of raw"
        return f"{symbol} {_number(self.value, unit)}".strip()

    def met(self, value: float, ratio: float | None) -> bool:
        measured = ratio if self.of is not None else value
        if measured is None:
            return False
        if self.op == ">=":
            return measured >= self.value
        if self.op == "<":
            return measured < self.value
        return measured == self.value


@dataclass(frozen=True)
class Spec:
    key: str
    part: str
    label: str
    unit: str
    ratio_to: str | None = None
    target: Target | None = None
    absent: str | None = None
    """Why the figure may legitimately have no value (shown instead of one)."""


ZERO = Target("==", 0)


def specs(sizes: Sizes) -> list[Spec]:
    c, bc, rows = sizes.concurrency, sizes.batch_concurrency, sizes.batch_rows_per_tx
    out = [
        Spec("raw_tps", "raw", f"pgbench: call+event+outbox rows per tx, c={c}", "tx/s"),
        Spec(
            "raw_tps_no_notify",
            "raw",
            "  same, outbox NOTIFY trigger dropped (if the schema has one)",
            "tx/s",
            "raw_tps",
            absent="n/a",
        ),
        Spec("raw_batched_rows", "raw", f"pgbench batched: {rows} events per tx, c={bc}", "rows/s"),
        Spec(
            "ingest_distinct_rate",
            "ingest",
            f"distinct calls, c={c}: accepted",
            "events/s",
            "raw_tps",
            Target(">=", 0.40, of="raw_tps"),
        ),
        Spec("ingest_distinct_p50", "ingest", "  distinct calls p50", "ms"),
        Spec("ingest_distinct_p99", "ingest", "  distinct calls p99", "ms"),
        Spec("ingest_hot_rate", "ingest", f"16 hot calls, c={c}: accepted", "events/s", "raw_tps"),
        Spec("ingest_hot_p50", "ingest", "  hot calls p50", "ms"),
        Spec("ingest_hot_p99", "ingest", "  hot calls p99", "ms"),
        Spec(
            "batch_rate",
            "batch",
            f"POST /api/events/batch, {sizes.batch_events} per request, {bc} in flight",
            "events/s",
            "raw_batched_rows",
            Target(">=", 0.30, of="raw_batched_rows"),
        ),
    ]
    for rate in sizes.e2e_rates:
        targets = E2E_TARGETS.get(rate, {})
        p50, p99 = targets.get("p50"), targets.get("p99")
        out += [
            Spec(
                f"e2e_{rate}_accepted_rate",
                "e2e",
                f"{rate}/s open loop to `calls`: accepted",
                "events/s",
                "raw_tps",
            ),
            Spec(
                f"e2e_{rate}_p50",
                "e2e",
                f"  {rate}/s p50 request → socket",
                "ms",
                target=Target("<", p50) if p50 else None,
            ),
            Spec(
                f"e2e_{rate}_p99",
                "e2e",
                f"  {rate}/s p99 request → socket",
                "ms",
                target=Target("<", p99) if p99 else None,
            ),
            Spec(f"e2e_{rate}_lost", "e2e", f"  {rate}/s lost", "", target=ZERO),
            Spec(f"e2e_{rate}_duplicated", "e2e", f"  {rate}/s duplicated", "", target=ZERO),
        ]
    out += [
        Spec(
            "drain_rate",
            "drain",
            f"{sizes.drain_events:,} queued events, relay restarted",
            "rows/s",
            "raw_tps",
            Target(">=", 10_000),
        ),
        Spec(
            "fanout_p50",
            "fanout",
            f"{sizes.fanout_sockets:,} sockets in one call: room, delivery p50",
            "ms",
        ),
        Spec("fanout_p99", "fanout", "  delivery p99", "ms", target=Target("<", 100)),
        Spec("fanout_missing", "fanout", "  deliveries missing", "", target=ZERO),
        Spec("fanout_duplicated", "fanout", "  deliveries duplicated", "", target=ZERO),
        Spec(
            "idle_connected",
            "idle",
            "idle sockets held by one realtime process",
            "",
            target=Target(">=", sizes.idle_sockets),
        ),
        Spec("idle_rss_kb", "idle", "  RSS per idle socket", "KB", target=Target("<", 20)),
    ]
    return out


def figures(sizes: Sizes, parts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every figure with its value, ratio, target and verdict (JSON-able)."""
    values: dict[str, Any] = {}
    for part in parts.values():
        values.update(part.get("figures", {}))
    rows: list[dict[str, Any]] = []
    for spec in specs(sizes):
        if spec.part not in parts:
            continue  # not selected (--only)
        part = parts[spec.part]
        value = values.get(spec.key)
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        base = values.get(spec.ratio_to) if spec.ratio_to else None
        ratio = value / base if value is not None and base else None
        status = _status(part, spec, value, ratio)
        rows.append(
            {
                "key": spec.key,
                "part": spec.part,
                "label": spec.label.strip(),
                "value": value,
                "unit": spec.unit,
                "ratio_to_raw": None if ratio is None else round(ratio, 4),
                "ratio_to": spec.ratio_to,
                "target": spec.target.describe(spec.unit) if spec.target else None,
                "result": status,
            }
        )
    return rows


def _status(part: dict[str, Any], spec: Spec, value: Any, ratio: float | None) -> str:
    if "skipped" in part:
        return "skipped"
    if "error" in part:
        return "error"
    if value is None:
        return "n/a" if spec.absent else "missing"
    if spec.target is None:
        return ""
    if spec.target.of is not None and ratio is None:
        return "no raw"  # a share of the raw limit, which did not run (--only, no database)
    return "pass" if spec.target.met(value, ratio) else "FAIL"


def table(sizes: Sizes, parts: dict[str, dict[str, Any]], rows: list[dict[str, Any]]) -> str:
    labels = {s.key: s.label for s in specs(sizes)}
    absent = {s.key: s.absent for s in specs(sizes)}
    header = ("part", "figure", "value", "vs raw", "target", "result")
    lines: list[tuple[str, ...]] = [header]
    shown_reason: set[str] = set()
    for row in rows:
        part = parts.get(row["part"], {})
        reason = part.get("skipped") or part.get("error")
        if reason:
            if row["part"] in shown_reason:
                continue
            shown_reason.add(row["part"])
            word = "skipped" if "skipped" in part else "error"
            lines.append(
                (row["part"], f"{word}: {str(reason).splitlines()[0][:80]}", "", "", "", word)
            )
            continue
        ratio = row["ratio_to_raw"]
        if row["key"] in ("raw_tps", "raw_batched_rows"):
            ratio_text = "(raw)"
        else:
            ratio_text = "" if ratio is None else f"{ratio * 100:.0f} %"
        value = _number(row["value"], row["unit"]) if row["value"] is not None else "-"
        if row["result"] == "n/a":
            value = absent[row["key"]] or "n/a"
        lines.append(
            (row["part"], labels[row["key"]], value, ratio_text, row["target"] or "", row["result"])
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    aligned = ["<", "<", ">", ">", "<", "<"]
    return "\n".join(
        "  ".join(
            f"{cell:{a}{w}}" for cell, a, w in zip(line, aligned, widths, strict=True)
        ).rstrip()
        for line in lines
    )


def cpu_lines(parts: dict[str, dict[str, Any]]) -> list[str]:
    """One line per part: CPU % of one core of each process while it ran."""
    lines = []
    for name, part in parts.items():
        cpu = part.get("cpu_percent")
        if cpu:
            busy = ", ".join(f"{k} {v:.0f}" for k, v in cpu.items() if v >= 1)
            lines.append(f"  {name:<7} {part.get('elapsed_s', 0):6.1f}s  {busy}")
    return lines


def _number(value: float, unit: str) -> str:
    if unit in ("ms", "KB"):
        text = f"{value:.2f}" if value < 10 else f"{value:.1f}"
    elif unit == "":
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.0f}"
    return f"{text} {unit}".strip()


def machine() -> dict[str, Any]:
    """What the numbers ran on (docs/performance.md records it with each table)."""
    model = "unknown"
    memory_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
