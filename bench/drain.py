"""Drain: how fast the relay empties a backlog (after an outage of the relay or of Redis).

With the relay stopped, N events are queued through the batch endpoint — whole short
lifecycles (initiated, routed, answered, ended: four outbox rows per call, so the relay's
per-call ordering is exercised) — then the relay is started and the outbox polled until
empty. Rows/s is N / (last published_at - first published_at) of those rows, read from the
outbox itself (the relay's own pace, its start-up excluded); the wall time from starting the
relay to empty is kept in the JSON too. The realtime process receives and drops every message
(no socket listens), as it would with no dashboard open.
"""

import asyncio
import time
from typing import Any

import aiohttp
import asyncpg
from context import NEEDS_STACK, Sizes, Skipped, System, wait_outbox_empty

EVENTS_PER_CALL = 4
BATCH = 500
IN_FLIGHT = 4
DEADLINE_S = 600.0
# This part's rows only: late rows of an earlier part (a timed-out request the api still
# committed) are left out.
PENDING = """
SELECT count(*) FROM outbox
WHERE id > $1 AND ordering_key LIKE $2 || '-%' AND published_at IS NULL
"""
SPAN = """
SELECT count(*) AS n, extract(epoch FROM max(published_at) - min(published_at)) AS span
FROM outbox WHERE id > $1 AND ordering_key LIKE $2 || '-%'
"""


def lifecycle(call_id: str, n: int) -> list[bytes]:
    queue = ("medical_spanish", "medical_english", "legal_spanish", "legal_english")[n % 4]
    head = f'"call_id":"{call_id}"'
    return [
        (
            f'{{"event_id":"{call_id}-1","type":"call_initiated",{head},'
            f'"data":{{"media":"video","queue_id":"{queue}"}}}}'
        ).encode(),
        (
            f'{{"event_id":"{call_id}-2","type":"call_routed",{head},'
            f'"data":{{"agent_id":"{call_id}-agent","routing_time":1}}}}'
        ).encode(),
        f'{{"event_id":"{call_id}-3","type":"call_answered",{head},"data":{{"wait_time":3}}}}'.encode(),
        (
            f'{{"event_id":"{call_id}-4","type":"call_ended",{head},'
            f'"data":{{"end_reason":"completed","duration":60}}}}'
        ).encode(),
    ]


async def _queue(system: System, prefix: str, events: int) -> int:
    """Post `events` events (whole lifecycles) in batches; the number accepted."""
    calls = max(1, events // EVENTS_PER_CALL)
    bodies = [e for n in range(calls) for e in lifecycle(f"{prefix}-{n}", n)]
    chunks = [bodies[i : i + BATCH] for i in range(0, len(bodies), BATCH)]
    headers = {"Content-Type": "application/json", "X-API-Key": system.producer_key}
    accepted = 0
    gate = asyncio.Semaphore(IN_FLIGHT)
    timeout = aiohttp.ClientTimeout(total=300)

    async def post(session: aiohttp.ClientSession, chunk: list[bytes]) -> None:
        nonlocal accepted
        body = b'{"events":[' + b",".join(chunk) + b"]}"
        async with (
            gate,
            session.post(
                f"{system.api_url}/api/events/batch", data=body, headers=headers
            ) as response,
        ):
            answer = await response.json()
            if response.status != 200:
                raise RuntimeError(f"batch refused: {response.status} {answer}")
            accepted += sum(1 for r in answer["results"] if r["status"] == 201)

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(post(session, chunk) for chunk in chunks))
    return accepted


async def run(system: System, sizes: Sizes) -> dict[str, Any]:
    stack = system.require_stack()
    if system.database_url is None:
        raise Skipped(NEEDS_STACK)
    relay = stack.processes["relay"]
    prefix = f"{system.prefix}-drain"
    await wait_outbox_empty(system)
    conn = await asyncpg.connect(system.database_url)
    try:
        after_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        await asyncio.to_thread(relay.stop)
        try:
            accepted = await _queue(system, prefix, sizes.drain_events)
            pending = await conn.fetchval(PENDING, after_id, prefix)
        finally:
            started = time.monotonic()
            relay.start()
        await asyncio.to_thread(relay.wait_healthy, 60.0)
        deadline = started + DEADLINE_S
        while await conn.fetchval(PENDING, after_id, prefix):
            if time.monotonic() > deadline:
                raise RuntimeError(f"outbox not empty {DEADLINE_S:.0f}s after the relay started")
            await asyncio.sleep(0.05)
        wall_s = time.monotonic() - started
        row = await conn.fetchrow(SPAN, after_id, prefix)
    finally:
        await conn.close()
    span = float(row["span"] or 0.0)
    rows = int(row["n"])
    return {
        "figures": {"drain_rate": rows / span if span > 0 else None},
        "events_accepted": accepted,
        "rows_queued": pending,
        "rows_published": rows,
        "publish_span_s": round(span, 3),
        "wall_s_from_relay_start": round(wall_s, 3),
        "rows_per_s_from_relay_start": round(rows / wall_s, 1),
    }
