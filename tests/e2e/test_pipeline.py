"""End to end: HTTP → PostgreSQL outbox → relay → Redis → realtime → Socket.io client.

Every process is the real one, started as a subprocess, on real PostgreSQL and Redis.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, READER, running_stack
from devstack.valkey_server import EmbeddedValkey


@pytest.fixture
def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> Iterator[Stack]:
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


def _lifecycle(call_id: str) -> list[dict[str, Any]]:
    def ev(kind: str, **data: Any) -> dict[str, Any]:
        return {"type": kind, "call_id": call_id, "data": data}

    return [
        ev("call_initiated", media="video", queue_id="medical_spanish"),
        ev("call_routed", agent_id="agent-1", routing_time=1.5),
        ev("call_answered", wait_time=4),
        ev("call_hold"),
        ev("call_resumed"),
        ev("call_ended", end_reason="completed", duration=95),
    ]


async def _post(session: aiohttp.ClientSession, stack: Stack, body: Any, **headers: str) -> int:
    async with session.post(
        f"{stack.api_url}/api/events", json=body, headers={"X-API-Key": PRODUCER, **headers}
    ) as response:
        return response.status


async def test_a_posted_event_reaches_a_call_room_subscriber(stack: Stack) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("call:e2e-1")
    try:
        async with aiohttp.ClientSession() as session:
            for body in _lifecycle("e2e-1"):
                assert await _post(session, stack, body, **{"X-Request-ID": "corr-e2e-1"}) == 201
        await client.wait_for(6)
    finally:
        await client.close()
    assert client.by_call["e2e-1"] == [1, 2, 3, 4, 5, 6]
    assert client.received[-1]["call"]["status"] == "ended"


async def test_a_socket_in_call_queue_and_calls_rooms_gets_each_event_once(stack: Stack) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("call:e2e-2", "queue:medical_spanish", "calls")
    try:
        async with aiohttp.ClientSession() as session:
            for body in _lifecycle("e2e-2")[:3]:
                assert await _post(session, stack, body) == 201
        await client.wait_for(3)
        # Anything extra would arrive right behind the third; a later event proves the
        # stream moved on with no repeat in between.
        async with aiohttp.ClientSession() as session:
            assert await _post(session, stack, _lifecycle("e2e-2")[3]) == 201
        await client.wait_for(4)
    finally:
        await client.close()
    assert client.by_call["e2e-2"] == [1, 2, 3, 4]


async def test_the_correlation_id_is_logged_by_api_relay_and_realtime(stack: Stack) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    try:
        async with aiohttp.ClientSession() as session:
            body = _lifecycle("e2e-3")[0]
            assert await _post(session, stack, body, **{"X-Request-ID": "trace-e2e-3"}) == 201
        await client.wait_for(1)
    finally:
        await client.close()
    for name in ("api", "relay", "realtime"):

        async def logged(name: str = name) -> bool:
            return "trace-e2e-3" in stack.output(name)

        await eventually(logged, deadline_s=5)


async def test_with_redis_stopped_posts_succeed_and_every_event_arrives_once_after(
    stack: Stack, private_redis: EmbeddedValkey
) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("calls")
    private_redis.stop()
    headers = {"X-API-Key": READER}
    try:
        async with aiohttp.ClientSession() as session:
            for call_id in ("outage-1", "outage-2"):
                for body in _lifecycle(call_id):
                    assert await _post(session, stack, body) == 201
            async with session.get(f"{stack.api_url}/api/ops/outbox", headers=headers) as r:
                status = await r.json()
            assert status["pending"] == 12
            async with session.get(f"{stack.realtime_url}/ready") as r:
                assert r.status == 503
            await asyncio.to_thread(private_redis.start)
            await client.wait_for(12, deadline_s=30)

            async def drained() -> bool:
                async with session.get(f"{stack.api_url}/api/ops/outbox", headers=headers) as r:
                    return (await r.json())["pending"] == 0

            await eventually(drained, deadline_s=10)
    finally:
        await client.close()
    assert client.by_call["outage-1"] == [1, 2, 3, 4, 5, 6]
    assert client.by_call["outage-2"] == [1, 2, 3, 4, 5, 6]
