"""Redis stopped for a while under steady posting: nothing is refused, nothing is lost."""

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_consistent, assert_each_once_in_order, received_all
from .producer import Producer
from .queries import PENDING, fetch_one

OUTAGE_S = 3.0


@pytest.fixture
def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> Iterator[Stack]:
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


async def _ready_status(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(f"{url}/ready") as response:
        return response.status


async def test_with_redis_down_for_seconds_under_steady_posting_every_event_arrives_once(
    stack: Stack, private_redis: EmbeddedValkey, fresh_database_url: str
) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    producer = Producer(stack.api_url, [f"redis-out-{i}" for i in range(5)], interval_s=0.1)
    try:
        async with aiohttp.ClientSession() as session:
            producer.start(session)  # ~50 events/s over 5 calls
            await client.wait_for(20)

            await asyncio.to_thread(private_redis.stop)
            pending_at_stop = await fetch_one(fresh_database_url, PENDING)
            await eventually(
                lambda: _is(session, stack.realtime_url, 503), deadline_s=OUTAGE_S, interval_s=0.1
            )
            # The point of the outage: posting keeps going for a while with Redis away.
            await asyncio.sleep(OUTAGE_S)
            pending_in_outage = await fetch_one(fresh_database_url, PENDING)
            await asyncio.to_thread(private_redis.start)

            await eventually(lambda: _is(session, stack.realtime_url, 200), deadline_s=15)
            await client.wait_for(producer.total + 20, deadline_s=15)  # and live again after
            await producer.stop()
            await eventually(lambda: received_all(client.by_call, producer.accepted), deadline_s=30)

            async def drained() -> bool:
                return await fetch_one(fresh_database_url, PENDING) == 0

            await eventually(drained, deadline_s=10)
    finally:
        await client.close()

    assert set(producer.statuses) == {201}, producer.problems[:5]
    assert pending_in_outage >= pending_at_stop + 100, (pending_at_stop, pending_in_outage)
    assert_each_once_in_order(client.by_call, producer.accepted)
    await assert_consistent(fresh_database_url, producer.accepted)


async def _is(session: aiohttp.ClientSession, url: str, status: int) -> bool:
    return await _ready_status(session, url) == status
