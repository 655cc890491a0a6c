"""The relay against a Redis that answers but refuses to publish (an ACL refusal).

Every post is still accepted, the relay keeps running and the outbox reports the
failure while it lasts; once publishing is allowed again every event arrives, in
order, and the outbox reports nothing failing.
"""

import asyncio
import contextlib
from typing import Any

import asyncpg
from prometheus_client import REGISTRY

from call_service.api.app import create_app
from call_service.relay.worker import run_relay
from call_service.service.publish_outbox import DrainPolicy
from devstack.polling import eventually

from .conftest import READER, event, initiated, make_settings, post
from .redis_refusals import write_refusing_user
from .relay_harness import Subscriber

FAST = DrainPolicy(batch_size=5, base_backoff_s=0.05, max_backoff_s=0.2)
CALLS = ("refused-a", "refused-b")


def _lifecycle(call_id: str) -> list[dict[str, Any]]:
    return [
        initiated(call_id),
        event("call_routed", call_id, agent_id="a1", routing_time=1),
        event("call_answered", call_id, wait_time=3),
        event("call_hold", call_id),
        event("call_resumed", call_id),
        event("call_ended", call_id, end_reason="completed", duration=60),
    ]


async def _outbox(client: Any) -> dict[str, Any]:
    response = await client.get("/api/ops/outbox", headers={"X-API-Key": READER})
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


def _consecutive_failures() -> float:
    return REGISTRY.get_sample_value("relay_consecutive_failed_batches") or 0.0


async def test_a_redis_refusing_publish_holds_rows_as_failing_then_delivers_every_one(
    fresh_database_url: str, redis_url: str, redis_channel: str, aiohttp_client: Any
) -> None:
    subscriber = Subscriber(redis_url, redis_channel)  # the default user: may subscribe
    await subscriber.start()
    async with write_refusing_user(redis_url) as user:
        settings = make_settings(
            fresh_database_url, user.url, REDIS_CHANNEL=redis_channel, RELAY_POLL_INTERVAL_S="0.2"
        )
        client = await aiohttp_client(create_app(settings))  # its rate limiter is refused too
        stop = asyncio.Event()
        relay = asyncio.create_task(run_relay(settings, stop, FAST))
        try:
            for call_id in CALLS:
                for body in _lifecycle(call_id):
                    response = await post(client, body)
                    assert response.status == 201, await response.text()
            total = len(CALLS) * len(_lifecycle(CALLS[0]))

            async def failing() -> bool:
                return (await _outbox(client))["failing"] > 0

            await eventually(failing, deadline_s=10)
            assert not relay.done()
            assert (await _outbox(client))["pending"] == total
            assert subscriber.count == 0
            assert _consecutive_failures() > 0
            errors = await _last_errors(fresh_database_url)
            assert errors == {"NoPermissionError: " + _NOPERM}  # the reason, never a payload

            await user.allow_writes()
            await subscriber.wait_for(total)

            async def recovered() -> bool:
                status = await _outbox(client)
                return status["failing"] == 0 and status["pending"] == 0

            await eventually(recovered, deadline_s=10)
            await eventually(_no_consecutive_failures, deadline_s=5)
            assert not relay.done()
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await subscriber.close()
    for call_id in CALLS:
        assert subscriber.seqs[call_id] == list(range(1, len(_lifecycle(call_id)) + 1))


_NOPERM = "this user has no permissions to run the 'publish' command"


async def _last_errors(database_url: str) -> set[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT DISTINCT last_error FROM outbox WHERE attempts > 0")
    finally:
        await conn.close()
    return {r["last_error"] for r in rows}


async def _no_consecutive_failures() -> bool:
    return _consecutive_failures() == 0
