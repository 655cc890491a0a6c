"""End to end: events offered open-loop at a fixed rate, timed from request to socket receipt.

A child process posts `call_initiated` for new calls on a fixed schedule — request i is due
at t0 + i/rate whether or not earlier ones were answered (open loop: a slow server is not
allowed to slow the offered load down) — with every body serialised before t0. A subscriber
of the `calls` room, a lean socket in this process, notes when each event arrives by its
event_id. Both read time.monotonic(), one clock for every process on Linux.

Latency is receipt - the request's *scheduled* start (the honest figure for an open loop:
it includes any time the request waited for the client to send it); the same from the actual
start is kept in the JSON. Lost: accepted (201) but not received once the outbox is empty
and a grace period has passed; duplicated: received twice by the socket.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

import aiohttp
from children import result_of, start_child
from context import Sizes, System, latency_ms, outbox_pending, wait_outbox_empty
from eio_client import LeanSocket, new_session
from ingest_load import initiated

MAX_IN_FLIGHT = 5000  # past this the client itself would be the bottleneck: counted, not sent
REQUEST_TIMEOUT_S = 30.0
GRACE_S = 5.0  # after the outbox is empty, for the last messages to cross Redis and the socket
LOSS_DEADLINE_S = 120.0  # after the last answer, whatever the outbox says


@dataclass(frozen=True)
class OpenLoop:
    api_url: str
    key: str
    rate: float
    seconds: float
    prefix: str


async def _send(spec: OpenLoop) -> dict[str, Any]:
    count = max(1, round(spec.rate * spec.seconds))
    ids = [f"{spec.prefix}-{i}" for i in range(count)]
    bodies = [initiated(call_id, i) for i, call_id in enumerate(ids)]
    started = [0.0] * count
    ended = [0.0] * count
    statuses = [-1] * count  # -1: never sent (client over MAX_IN_FLIGHT), 0: request failed
    url = spec.api_url + "/api/events"
    headers = {"Content-Type": "application/json", "X-API-Key": spec.key}
    in_flight: set[asyncio.Task[None]] = set()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def post(i: int) -> None:
            started[i] = time.monotonic()
            try:
                async with session.post(url, data=bodies[i], headers=headers) as response:
                    await response.read()
                    statuses[i] = response.status
            except (aiohttp.ClientError, TimeoutError):
                statuses[i] = 0
            ended[i] = time.monotonic()

        interval = 1.0 / spec.rate
        t0 = time.monotonic() + 0.2
        lag_max = 0.0
        i = 0
        while i < count:
            now = time.monotonic()
            due = t0 + i * interval
            if due > now:
                await asyncio.sleep(due - now)
                continue
            lag_max = max(lag_max, now - due)
            while i < count and t0 + i * interval <= now:
                if len(in_flight) < MAX_IN_FLIGHT:
                    task = asyncio.create_task(post(i))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                i += 1
        if in_flight:
            await asyncio.wait(set(in_flight))
    return {
        "t0": t0,
        "interval": interval,
        "event_ids": [f"{call_id}-1" for call_id in ids],
        "started": started,
        "ended": ended,
        "statuses": statuses,
        "scheduler_lag_max_ms": round(lag_max * 1000, 2),
    }


def send_open_loop(spec: OpenLoop, ready: Event, _stop: Event) -> dict[str, Any]:
    """Child entry: the whole schedule, then per request its times and status."""
    ready.set()
    return asyncio.run(_send(spec))


class Subscriber:
    """One lean socket in `calls`, connected before the load starts."""

    def __init__(self, realtime_url: str, key: str) -> None:
        self.socket = LeanSocket(realtime_url, key, ["calls"])
        self.session = new_session()

    async def __aenter__(self) -> "Subscriber":
        await self.socket.connect(self.session)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.socket.close()
        await self.session.close()


async def _one_rate(system: System, rate: int, sizes: Sizes) -> dict[str, Any]:
    spec = OpenLoop(
        system.api_url, system.producer_key, rate, sizes.seconds, f"{system.prefix}-e2e{rate}"
    )
    async with Subscriber(system.realtime_urls[0], system.supervisor_key) as subscriber:
        child = start_child(f"e2e-{rate}", send_open_loop, spec)
        sent = await result_of(child, within_s=sizes.seconds + REQUEST_TIMEOUT_S + 120)
        received = subscriber.socket.received
        statuses: list[int] = sent["statuses"]
        accepted = [i for i, status in enumerate(statuses) if status == 201]
        event_ids: list[str] = sent["event_ids"]
        deadline = time.monotonic() + LOSS_DEADLINE_S
        grace_until: float | None = None
        while any(event_ids[i] not in received for i in accepted):
            now = time.monotonic()
            if grace_until is None and await outbox_pending(system) == 0:
                grace_until = now + GRACE_S
            if now > deadline or (grace_until is not None and now > grace_until):
                break
            await asyncio.sleep(0.1)
        duplicates = subscriber.socket.duplicates
    t0, interval, started = sent["t0"], sent["interval"], sent["started"]
    from_schedule = [
        received[event_ids[i]] - (t0 + i * interval) for i in accepted if event_ids[i] in received
    ]
    from_start = [received[event_ids[i]] - started[i] for i in accepted if event_ids[i] in received]
    lost = sum(1 for i in accepted if event_ids[i] not in received)
    first = min((started[i] for i in accepted), default=0.0)
    last = max((sent["ended"][i] for i in accepted), default=0.0)
    by_status = Counter("not sent" if s == -1 else "failed" if s == 0 else str(s) for s in statuses)
    scheduled = latency_ms(from_schedule)
    return {
        "figures": {
            f"e2e_{rate}_p50": scheduled["p50_ms"],
            f"e2e_{rate}_p99": scheduled["p99_ms"],
            f"e2e_{rate}_lost": lost,
            f"e2e_{rate}_duplicated": duplicates,
            f"e2e_{rate}_accepted_rate": len(accepted) / max(1e-9, last - first),
        },
        "rate": rate,
        "offered": len(statuses),
        "statuses": dict(by_status),
        "accepted": len(accepted),
        "lost": lost,
        "duplicated": duplicates,
        "latency_from_scheduled_start": scheduled,
        "latency_from_actual_start": latency_ms(from_start),
        "scheduler_lag_max_ms": sent["scheduler_lag_max_ms"],
    }


async def run(system: System, sizes: Sizes) -> dict[str, Any]:
    """Each rate of `sizes.e2e_rates` in turn, the outbox emptied in between."""
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for rate in sizes.e2e_rates:
        await wait_outbox_empty(system)
        result = await _one_rate(system, rate, sizes)
        figures.update(result.pop("figures"))
        details[str(rate)] = result
    return {"figures": figures, **details}
