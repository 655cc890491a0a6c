"""End to end: a socket resumes `call:<id>` with since_seq while the call keeps changing.

Real api, relay, timers and realtime processes on real PostgreSQL and Redis; a real
Socket.io client. The socket must get exactly the events after since_seq, once each, in
seq order: the stored ones from the database, then the live ones, with nothing lost or
repeated at the seam between the two.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import PRODUCER, running_stack
from devstack.valkey_server import EmbeddedValkey


@pytest.fixture
def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> Iterator[Stack]:
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


def _event(call_id: str, seq: int) -> dict[str, Any]:
    """The call's event number `seq`: initiated, routed, answered, then hold / resumed."""
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("call_initiated", {"media": "voice", "queue_id": "medical_spanish"}),
        ("call_routed", {"agent_id": "agent-1", "routing_time": 1.0}),
        ("call_answered", {"wait_time": 3}),
    ]
    kind, data = kinds[seq - 1] if seq <= 3 else [("call_hold", {}), ("call_resumed", {})][seq % 2]
    return {"event_id": f"{call_id}-{seq}", "type": kind, "call_id": call_id, "data": data}


async def _post(session: aiohttp.ClientSession, stack: Stack, call_id: str, seq: int) -> None:
    async with session.post(
        f"{stack.api_url}/api/events",
        json=_event(call_id, seq),
        headers={"X-API-Key": PRODUCER},
    ) as response:
        assert response.status == 201, await response.text()


async def _subscribe(client: SocketClient, room: str, since_seq: int) -> dict[str, Any]:
    ack: dict[str, Any] = await client.sio.call(
        "subscribe", {"room": room, "since_seq": since_seq}, timeout=10
    )
    return ack


async def test_resume_while_events_keep_coming_gets_each_later_event_once_in_order(
    stack: Stack,
) -> None:
    call_id, last = "e2e-resume-1", 120
    # (posted before connecting, since_seq): each socket resumes at another point of the
    # stream, from behind the stored events to right at their end.
    plan = [(10, 5), (25, 0), (40, 33), (60, 55)]
    clients = [SocketClient(stack.realtime_url) for _ in plan]
    acks: list[dict[str, Any]] = []
    posted_at_ack: list[int] = []
    posted = 0
    async with aiohttp.ClientSession() as session:

        async def produce() -> None:
            nonlocal posted
            for seq in range(1, last + 1):
                await _post(session, stack, call_id, seq)
                posted = seq

        producer = asyncio.create_task(produce())
        try:
            for client, (after, since_seq) in zip(clients, plan, strict=True):

                async def posted_enough(after: int = after) -> bool:
                    return posted >= after

                await eventually(posted_enough, deadline_s=20)
                await client.connect()
                acks.append(await _subscribe(client, f"call:{call_id}", since_seq))
                posted_at_ack.append(posted)
            await producer

            async def caught_up() -> bool:
                return all(c.by_call[call_id][-1:] == [last] for c in clients)

            await eventually(caught_up, deadline_s=30)
        finally:
            producer.cancel()
            for client in clients:
                await client.close()

    assert posted_at_ack[-1] < last, "the producer should still be posting during the resumes"
    for client, ack, (after, since_seq) in zip(clients, acks, plan, strict=True):
        assert ack["ok"] is True, ack
        assert ack["resumed"] >= after - since_seq
        assert client.by_call[call_id] == list(range(since_seq + 1, last + 1))
        # A replayed message carries the call as that event left it, like a live one.
        assert [m["call"]["last_seq"] for m in client.received] == client.by_call[call_id]


async def test_since_seq_is_refused_for_list_rooms_and_beyond_the_end_gives_live_events(
    stack: Stack,
) -> None:
    call_id = "e2e-resume-2"
    client = SocketClient(stack.realtime_url)
    async with aiohttp.ClientSession() as session:
        for seq in (1, 2, 3):
            await _post(session, stack, call_id, seq)
        await client.connect()
        try:
            for room in ("calls", "queue:medical_spanish"):
                refused = await _subscribe(client, room, 0)
                assert refused["ok"] is False
                assert "REST" in refused["error"]

            assert await _subscribe(client, f"call:{call_id}", 40) == {"ok": True, "resumed": 0}
            await _post(session, stack, call_id, 4)
            await _post(session, stack, call_id, 5)

            async def both_arrived() -> bool:
                return len(client.by_call[call_id]) >= 2

            await eventually(both_arrived, deadline_s=20)
            async with session.get(f"{stack.realtime_url}/ready") as response:
                ready = await response.json()
        finally:
            await client.close()

    assert client.by_call[call_id] == [4, 5]
    assert ready["checks"]["postgres"] == "ok"
