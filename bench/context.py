"""What every part of the benchmark gets: the system under test and the sizes of the run.

The system is either a stack the benchmark started itself (`stack` set: processes it may
stop, start and measure) or a running one given by URLs (`stack` None: the parts that need
process control say they were skipped).
"""

import asyncio
import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from devstack.console import Console
from devstack.launcher import Stack
from devstack.managed_process import ManagedProcess


class Skipped(Exception):
    """The part cannot run against this system; the message says why."""


NEEDS_STACK = "needs a stack started by the bench"


@dataclass
class System:
    api_url: str
    realtime_urls: list[str]
    producer_key: str
    supervisor_key: str
    database_url: str | None
    stack: Stack | None
    console: Console
    prefix: str
    """Unique per run: every call id of the run starts with it."""

    def require_stack(self) -> Stack:
        if self.stack is None:
            raise Skipped(NEEDS_STACK)
        return self.stack


@dataclass(frozen=True)
class Sizes:
    seconds: float
    concurrency: int = 64
    batch_concurrency: int = 4
    batch_rows_per_tx: int = 100
    batch_events: int = 500
    e2e_rates: tuple[int, ...] = (500, 2000)
    drain_events: int = 20_000
    fanout_sockets: int = 1000
    fanout_rate: float = 10.0
    idle_sockets: int = 10_000
    socket_processes: int = 2
    settle_s: float = 3.0
    """After the last event / the last connection, before counting or reading RSS."""

    @property
    def warmup_s(self) -> float:
        return min(2.0, max(0.5, self.seconds / 5))

    @property
    def pgbench_seconds(self) -> int:
        return max(1, round(self.seconds))


def full_sizes(seconds: float) -> Sizes:
    return Sizes(seconds=seconds)


def smoke_sizes() -> Sizes:
    """A few seconds per part: proves every part runs and reports, not the targets."""
    return Sizes(
        seconds=1.0,
        batch_events=100,
        drain_events=1000,
        fanout_sockets=50,
        idle_sockets=200,
        settle_s=1.0,
    )


async def outbox_pending(system: System) -> int | None:
    """Pending outbox rows from GET /api/ops/outbox; None when it cannot be read."""
    headers = {"X-API-Key": system.supervisor_key}
    timeout = aiohttp.ClientTimeout(total=5)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(f"{system.api_url}/api/ops/outbox", headers=headers) as response,
        ):
            if response.status != 200:
                return None
            return int((await response.json())["pending"])
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError):
        return None


async def wait_outbox_empty(system: System, within_s: float = 120.0) -> bool:
    """Until the relay has published everything; False at the deadline."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await outbox_pending(system) == 0:
            return True
        await asyncio.sleep(0.2)
    return False


def jsonable_sizes(sizes: Sizes) -> dict[str, Any]:
    return {**asdict(sizes), "warmup_s": sizes.warmup_s}


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted values; None when there are none."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def latency_ms(seconds: list[float]) -> dict[str, Any]:
    """p50 / p99 / max in milliseconds of a list of durations in seconds."""
    values = sorted(seconds)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    return {
        "count": len(values),
        "p50_ms": ms(percentile(values, 0.50)),
        "p99_ms": ms(percentile(values, 0.99)),
        "max_ms": ms(values[-1] if values else None),
    }


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` items over at most `parts` holders, none empty: 1000 over 2 → [500, 500]."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts) if base or i < extra]


def stop_timed(process: ManagedProcess) -> dict[str, Any]:
    """Stop a process the part started; how long SIGTERM took and its exit code (-9: it
    was still running 10 s after SIGTERM and was killed)."""
    began = time.monotonic()
    code = process.stop()
    return {"exit_code": code, "stop_s": round(time.monotonic() - began, 2)}
