"""End to end: the timer worker acts on its own, and supervisors see it live."""

from typing import Any

import aiohttp
import asyncpg
import pytest

from devstack.launcher import Stack
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, READER, running_stack
from devstack.valkey_server import EmbeddedValkey

FAST_QUEUE = "e2e_fast"


@pytest.fixture
async def stack(fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str) -> Any:
    conn = await asyncpg.connect(fresh_database_url)
    try:
        await conn.execute(
            "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
            " short_call_seconds) VALUES ($1, 'Fast', 1, 1, 1, 10)",
            FAST_QUEUE,
        )
    finally:
        await conn.close()
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


async def test_a_call_left_waiting_breaches_its_sla_live_in_call_and_alerts_rooms(
    stack: Stack,
) -> None:
    client = SocketClient(stack.realtime_url)
    await client.connect("call:e2e-wait", "alerts")
    try:
        async with aiohttp.ClientSession() as session:
            body = {
                "type": "call_initiated",
                "call_id": "e2e-wait",
                "data": {"media": "voice", "queue_id": FAST_QUEUE},
            }
            async with session.post(
                f"{stack.api_url}/api/events", json=body, headers={"X-API-Key": PRODUCER}
            ) as response:
                assert response.status == 201
            await client.wait_for(2)
            await client.wait_for_alerts(1)
            async with session.get(
                f"{stack.api_url}/api/alerts?call_id=e2e-wait", headers={"X-API-Key": READER}
            ) as response:
                listed = await response.json()
    finally:
        await client.close()
    assert [e["event"]["type"] for e in client.received] == ["call_initiated", "sla_breached"]
    assert client.received[1]["call"]["flags"] == ["sla_breached"]
    assert [(a["kind"], a["call_id"]) for a in client.alerts] == [("sla_breached", "e2e-wait")]
    assert [a["id"] for a in listed["data"]] == [client.alerts[0]["id"]]
