"""The timer worker killed with SIGKILL while timers fall due: back up, each fires once."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_each_once_in_order, received_all
from .queries import execute, fetch_one, fetch_rows

FAST_QUEUE = "faults_fast"  # 1 s thresholds
CALLS = 150
FIRED = "SELECT count(*) FROM call_events WHERE type = 'sla_breached'"


@pytest.fixture
async def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> AsyncIterator[Any]:
    await execute(
        fresh_database_url,
        "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
        " short_call_seconds) VALUES ($1, 'Fast', 1, 1, 1, 10)",
        FAST_QUEUE,
    )
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


async def test_a_timer_worker_killed_while_timers_fall_due_fires_each_once_when_back(
    stack: Any, fresh_database_url: str
) -> None:
    timers = stack.processes["timers"]
    client = SocketClient(stack.realtime_url)
    await client.connect("calls", "alerts")
    call_ids = [f"timer-kill-{i:03}" for i in range(CALLS)]
    try:
        # A backlog of due timers: armed while the worker is down, all due a second later.
        timers.stop()
        async with aiohttp.ClientSession() as session:

            async def initiate(call_id: str) -> None:
                body = {
                    "type": "call_initiated",
                    "call_id": call_id,
                    "data": {"media": "voice", "queue_id": FAST_QUEUE},
                }
                async with session.post(
                    f"{stack.api_url}/api/events", json=body, headers={"X-API-Key": PRODUCER}
                ) as response:
                    assert response.status == 201

            for start in range(0, CALLS, 25):
                await asyncio.gather(*(initiate(c) for c in call_ids[start : start + 25]))

        async def all_due() -> bool:
            late = "SELECT count(*) FROM call_timers WHERE kind = 'sla' AND due_at <= now()"
            return bool(await fetch_one(fresh_database_url, late) == CALLS)

        await eventually(all_due, deadline_s=10)

        # Killed while it works through them: some fired, some not yet.
        timers.start()

        async def firing() -> bool:
            return bool(await fetch_one(fresh_database_url, FIRED) > 0)

        await eventually(firing, deadline_s=15, interval_s=0.005)
        timers.kill()
        fired_at_kill = await fetch_one(fresh_database_url, FIRED)

        timers.start()
        expected = dict.fromkeys(call_ids, 2)  # call_initiated, sla_breached
        await eventually(lambda: received_all(client.by_call, expected), deadline_s=20)
        await client.wait_for_alerts(CALLS)
        count = len(client.received) + len(client.alerts)
        await asyncio.sleep(0.5)  # bounded: a second firing would show up right behind
        assert len(client.received) + len(client.alerts) == count
    finally:
        await client.close()

    assert 0 < fired_at_kill < CALLS, f"the kill should land mid-backlog ({fired_at_kill})"
    assert_each_once_in_order(client.by_call, expected)
    per_call = await fetch_rows(
        fresh_database_url,
        "SELECT c.id, (SELECT count(*) FROM call_events e WHERE e.call_id = c.id"
        " AND e.type = 'sla_breached') AS breaches,"
        " (SELECT count(*) FROM alerts a WHERE a.call_id = c.id) AS alerts,"
        " c.flags FROM calls c",
    )
    assert {(r["breaches"], r["alerts"], tuple(r["flags"])) for r in per_call} == {
        (1, 1, ("sla_breached",))
    }
    assert len(per_call) == CALLS
    assert sorted(a["call_id"] for a in client.alerts) == call_ids
    assert await fetch_one(fresh_database_url, "SELECT count(*) FROM call_timers") == 0
