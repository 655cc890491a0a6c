"""Redis answering but refusing every write (an ACL that forbids writes and PUBLISH):
posts are still accepted, the relay keeps running and reports the failure, and once
Redis accepts writes again every event arrives once, in order."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import aiohttp
import pytest
import redis.asyncio as redis

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import READER, running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_consistent, assert_each_once_in_order, received_all
from .producer import Producer
from .queries import PENDING, fetch_one

READ_HEADERS = {"X-API-Key": READER}

REFUSING_S = 3.0
USER, PASSWORD = f"no-writes-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex


@contextlib.asynccontextmanager
async def _admin(server: EmbeddedValkey) -> AsyncIterator[redis.Redis]:
    client = redis.from_url(server.url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def refusing_user_url(private_redis: EmbeddedValkey) -> str:
    """A user that may connect, read and subscribe, but not write or publish."""
    async with _admin(private_redis) as admin:
        await admin.execute_command(
            "ACL", "SETUSER", USER, "on", f">{PASSWORD}", "~*", "&*",
            "+@all", "-@write", "-publish", "-spublish",
        )  # fmt: skip
    parts = urlsplit(private_redis.url)
    return f"redis://{USER}:{PASSWORD}@{parts.hostname}:{parts.port}{parts.path}"


@pytest.fixture
def stack(fresh_database_url: str, refusing_user_url: str, redis_channel: str) -> Iterator[Stack]:
    with running_stack(fresh_database_url, refusing_user_url, redis_channel) as running:
        yield running


async def _outbox(session: aiohttp.ClientSession, api_url: str) -> dict[str, float]:
    async with session.get(f"{api_url}/api/ops/outbox", headers=READ_HEADERS) as response:
        assert response.status == 200
        status: dict[str, float] = await response.json()
        return status


async def test_with_redis_refusing_writes_posts_succeed_and_every_event_arrives_after(
    stack: Stack, private_redis: EmbeddedValkey, fresh_database_url: str
) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    producer = Producer(stack.api_url, [f"refused-{i}" for i in range(5)], interval_s=0.1)
    try:
        async with aiohttp.ClientSession() as session:
            producer.start(session)  # ~50 events/s over 5 calls

            async def failing() -> bool:
                return (await _outbox(session, stack.api_url))["failing"] > 0

            await eventually(failing, deadline_s=10)
            await asyncio.sleep(REFUSING_S)  # the point: posting goes on while Redis refuses
            assert client.received == []
            assert stack.processes["relay"].is_running()
            failing_rows = (await _outbox(session, stack.api_url))["failing"]

            async with _admin(private_redis) as admin:
                await admin.execute_command("ACL", "SETUSER", USER, "+@all")
            await client.wait_for(producer.total + 20, deadline_s=15)
            await producer.stop()
            await eventually(lambda: received_all(client.by_call, producer.accepted), deadline_s=30)

            async def recovered() -> bool:
                status = await _outbox(session, stack.api_url)
                return status["failing"] == 0 and status["pending"] == 0

            await eventually(recovered, deadline_s=15)
    finally:
        await client.close()

    assert set(producer.statuses) == {201}, producer.problems[:5]
    assert failing_rows >= 50, failing_rows
    assert await fetch_one(fresh_database_url, PENDING) == 0
    assert all(p.is_running() for p in stack.processes.values())
    assert_each_once_in_order(client.by_call, producer.accepted)
    await assert_consistent(fresh_database_url, producer.accepted)
