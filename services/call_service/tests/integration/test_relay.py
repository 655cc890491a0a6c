"""The relay against real PostgreSQL and Redis: order per call, several relays, Redis outages."""

import asyncio
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from call_service.adapters.postgres.outbox import purge_published
from call_service.api.app import create_app
from call_service.service.publish_outbox import DrainPolicy
from call_service.settings import Settings
from devstack.polling import eventually
from devstack.valkey_server import EmbeddedValkey

from .conftest import event, initiated, make_settings, post
from .relay_harness import Subscriber, relays

FAST = DrainPolicy(batch_size=7, base_backoff_s=0.05, max_backoff_s=0.2)


def _settings(database_url: str, redis_url: str, channel: str) -> Settings:
    return make_settings(
        database_url, redis_url, REDIS_CHANNEL=channel, RELAY_POLL_INTERVAL_S="0.2"
    )


def _lifecycle(call_id: str) -> list[dict[str, Any]]:
    return [
        initiated(call_id),
        *[event("call_routed", call_id, agent_id=f"a{i}", routing_time=1) for i in range(6)],
        event("call_answered", call_id, wait_time=3),
        event("call_hold", call_id),
        event("call_resumed", call_id),
        event("call_ended", call_id, end_reason="completed", duration=60),
    ]


async def _post_interleaved(client: TestClient[Any, Any], calls: list[str]) -> int:
    """Post every call's events, calls concurrently, each call's events in order."""

    async def one_call(call_id: str) -> None:
        for body in _lifecycle(call_id):
            assert (await post(client, body)).status == 201

    await asyncio.gather(*(one_call(c) for c in calls))
    return sum(len(_lifecycle(c)) for c in calls)


async def test_two_relays_deliver_every_event_once_in_seq_order_per_call(
    fresh_database_url: str, redis_url: str, redis_channel: str, aiohttp_client: Any
) -> None:
    settings = _settings(fresh_database_url, redis_url, redis_channel)
    client = await aiohttp_client(create_app(settings))
    subscriber = Subscriber(redis_url, redis_channel)
    await subscriber.start()
    calls = [f"relay-order-{i}" for i in range(12)]
    try:
        async with relays(settings, 2, FAST):
            total = await _post_interleaved(client, calls)
            await subscriber.wait_for(total)
    finally:
        await subscriber.close()
    for call_id in calls:
        assert subscriber.seqs[call_id] == list(range(1, len(_lifecycle(call_id)) + 1))
    conn = await asyncpg.connect(fresh_database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await conn.close()


async def test_with_redis_down_rows_stay_pending_with_attempts_then_arrive_in_order(
    fresh_database_url: str,
    private_redis: EmbeddedValkey,
    redis_channel: str,
    aiohttp_client: Any,
) -> None:
    settings = _settings(fresh_database_url, private_redis.url, redis_channel)
    client = await aiohttp_client(create_app(settings))
    private_redis.stop()
    conn = await asyncpg.connect(fresh_database_url)
    try:
        async with relays(settings, 1, FAST):
            total = await _post_interleaved(client, ["outage-a", "outage-b"])
            await eventually(
                lambda: conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL"
                ),
                deadline_s=15,
            )
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            assert pending == total
            private_redis.start()
            subscriber = Subscriber(private_redis.url, redis_channel)
            await subscriber.start()
            try:
                await subscriber.wait_for(total)
            finally:
                await subscriber.close()
    finally:
        await conn.close()
    for call_id in ("outage-a", "outage-b"):
        assert subscriber.seqs[call_id] == list(range(1, 12))


async def test_rows_wait_while_no_subscriber_listens(
    fresh_database_url: str, redis_url: str, redis_channel: str, aiohttp_client: Any
) -> None:
    settings = _settings(fresh_database_url, redis_url, redis_channel)
    client = await aiohttp_client(create_app(settings))
    await post(client, initiated("lonely"))
    conn = await asyncpg.connect(fresh_database_url)
    try:
        async with relays(settings, 1, FAST):
            await eventually(lambda: conn.fetchval("SELECT last_error FROM outbox LIMIT 1"))
            assert await conn.fetchval("SELECT last_error FROM outbox") == "no subscriber"
            subscriber = Subscriber(redis_url, redis_channel)
            await subscriber.start()
            try:
                await subscriber.wait_for(1)
            finally:
                await subscriber.close()
    finally:
        await conn.close()
    assert subscriber.seqs["lonely"] == [1]


async def test_published_rows_are_purged_after_the_retention_and_pending_ones_kept(
    fresh_database_url: str,
) -> None:
    conn = await asyncpg.connect(fresh_database_url)
    try:
        await conn.execute(
            "INSERT INTO outbox (ordering_key, kind, payload, published_at)"
            " VALUES ('k', 'call_event', '{}', now() - interval '1 hour'),"
            "        ('k', 'call_event', '{}', NULL)"
        )
        assert await purge_published(conn, 60.0) == 1
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1
    finally:
        await conn.close()
