"""The relay killed with SIGKILL in the middle of a backlog, and two relays racing on one."""

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import asyncpg
import pytest

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_consistent, assert_each_once_in_order, received_all
from .producer import call_event
from .queries import PENDING, fetch_one

# A backlog of 400 rows drained 10 per batch. A claim locks the heads of up to a batch's
# worth of calls, so more calls than that leave work for a second relay.
CALLS, EVENTS_PER_CALL = 40, 10
SMALL_BATCHES = {"RELAY_BATCH_SIZE": "10"}
WAITING_ON_LOCK = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%outbox%'
"""


@pytest.fixture
def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> Iterator[Stack]:
    with running_stack(
        fresh_database_url, private_redis.url, redis_channel, extra_env=SMALL_BATCHES
    ) as running:
        yield running


async def _post_backlog(stack: Any, prefix: str) -> dict[str, int]:
    """EVENTS_PER_CALL events for each of CALLS calls, the calls posted concurrently."""
    call_ids = [f"{prefix}-{i}" for i in range(CALLS)]
    async with aiohttp.ClientSession() as session:

        async def post_call(call_id: str) -> None:
            for index in range(EVENTS_PER_CALL):
                async with session.post(
                    f"{stack.api_url}/api/events",
                    json=call_event(call_id, index),
                    headers={"X-API-Key": PRODUCER},
                ) as response:
                    assert response.status == 201, await response.text()

        await asyncio.gather(*(post_call(c) for c in call_ids))
    return dict.fromkeys(call_ids, EVENTS_PER_CALL)


async def test_a_relay_killed_while_draining_a_backlog_loses_and_repeats_nothing(
    stack: Any, fresh_database_url: str
) -> None:
    relay = stack.processes["relay"]
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    try:
        relay.stop()
        expected = await _post_backlog(stack, "relay-kill")
        total = CALLS * EVENTS_PER_CALL
        assert await fetch_one(fresh_database_url, PENDING) == total

        relay.start()

        async def publishing() -> bool:
            return await fetch_one(fresh_database_url, PENDING) < total

        await eventually(publishing, deadline_s=10, interval_s=0.005)
        relay.kill()
        pending_at_kill = await fetch_one(fresh_database_url, PENDING)
        received_at_kill = len(client.received)

        relay.start()
        await eventually(lambda: received_all(client.by_call, expected), deadline_s=20)

        async def drained() -> bool:
            return await fetch_one(fresh_database_url, PENDING) == 0

        await eventually(drained, deadline_s=10)
        await _settle(client)
    finally:
        await client.close()

    # The kill landed in the middle: some rows went out before it, some after.
    assert 0 < pending_at_kill < total, pending_at_kill
    assert received_at_kill < total
    assert_each_once_in_order(client.by_call, expected)
    await assert_consistent(fresh_database_url, expected)


async def test_two_relays_racing_on_one_backlog_deliver_each_event_once_in_order(
    stack: Any, fresh_database_url: str
) -> None:
    relay = stack.processes["relay"]
    second = stack.another("relay-2", "relay")
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    try:
        relay.stop()
        expected = await _post_backlog(stack, "relay-race")
        # Hold both relays at the starting line: the outbox locked, each blocked in its
        # first claim, then let go at once so they race on the whole backlog.
        gate = await asyncpg.connect(fresh_database_url)
        try:
            async with gate.transaction():
                await gate.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
                relay.start()
                second.start()

                async def both_waiting() -> bool:
                    waiting = await fetch_one(fresh_database_url, WAITING_ON_LOCK)
                    return bool(waiting >= 2)

                await eventually(both_waiting, deadline_s=15)
        finally:
            await gate.close()
        await eventually(lambda: received_all(client.by_call, expected), deadline_s=20)

        async def drained() -> bool:
            return await fetch_one(fresh_database_url, PENDING) == 0

        await eventually(drained, deadline_s=10)
        await _settle(client)
        published_by = {
            name: "outbox_published" in process_output
            for name, process_output in (
                ("relay", stack.output("relay")),
                ("relay-2", "\n".join(second.recent_output())),
            )
        }
    finally:
        second.stop()
        await client.close()

    assert_each_once_in_order(client.by_call, expected)
    await assert_consistent(fresh_database_url, expected)
    assert published_by == {"relay": True, "relay-2": True}, "both relays should take a share"


async def _settle(client: Any) -> None:
    """A repeat would arrive right behind the last event: give it a moment to show."""
    count = len(client.received)
    await asyncio.sleep(0.5)  # bounded: the point is that nothing more arrives
    assert len(client.received) == count
