"""Per-key rate limit on POST /api/events, kept in real Redis."""

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as redis
import structlog
from aiohttp.test_utils import TestClient
from prometheus_client import REGISTRY

from call_service.adapters.redis_rate_limiter import RedisRateLimiter
from call_service.api.app import create_app
from devstack.valkey_server import EmbeddedValkey

from .conftest import API_KEYS, PRODUCER, initiated, make_settings, post
from .redis_refusals import out_of_memory, read_only_replica, write_refusing_user

ClientFactory = Callable[[Any], Awaitable[TestClient[Any, Any]]]


def _app(database_url: str, redis_url: str, **env: str) -> Any:
    return create_app(make_settings(database_url, redis_url, **env))


async def test_a_key_over_its_rate_gets_429_with_retry_after_and_nothing_written(
    database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    keys = f"limited-{uuid.uuid4().hex}:events:write,{API_KEYS}"
    client = await aiohttp_client(
        _app(database_url, redis_url, API_KEYS=keys, RATE_LIMIT_PER_S="0.5", RATE_LIMIT_BURST="3")
    )
    key = keys.split(":")[0]
    statuses = [
        (await post(client, initiated(f"rl-{uuid.uuid4().hex}"), key=key)) for _ in range(5)
    ]
    assert [r.status for r in statuses] == [201, 201, 201, 429, 429]
    limited = statuses[-1]
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.content_type == "application/problem+json"
    # Other keys have their own bucket.
    assert (await post(client, initiated(f"rl-{uuid.uuid4().hex}"))).status == 201


async def test_with_redis_unreachable_the_limiter_fails_open(
    database_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(
        _app(database_url, "redis://127.0.0.1:1/0", RATE_LIMIT_PER_S="0.5", RATE_LIMIT_BURST="1")
    )
    for _ in range(3):
        assert (await post(client, initiated(f"rl-{uuid.uuid4().hex}"))).status == 201


def _total(name: str) -> float:
    """A counter's value summed over all its labels."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == name
    )


@contextlib.asynccontextmanager
async def _refusing_redis(kind: str, redis_url: str, request: Any) -> AsyncIterator[str]:
    """The URL of a Redis that answers PING but refuses the limiter's writes."""
    if kind == "acl":
        async with write_refusing_user(redis_url) as user:
            yield user.url
        return
    server: EmbeddedValkey = request.getfixturevalue("private_redis")
    if kind == "out_of_memory":
        await out_of_memory(server)
        yield server.url
        return
    async with read_only_replica(server) as replica_url:
        yield replica_url


@pytest.mark.parametrize("refusal", ["acl", "out_of_memory", "read_only_replica"])
async def test_a_redis_refusing_writes_never_fails_a_post_and_is_counted(
    refusal: str,
    database_url: str,
    redis_url: str,
    request: pytest.FixtureRequest,
    aiohttp_client: ClientFactory,
) -> None:
    async with _refusing_redis(refusal, redis_url, request) as url:
        client = await aiohttp_client(
            _app(database_url, url, RATE_LIMIT_PER_S="0.5", RATE_LIMIT_BURST="1")
        )
        errors_before = _total("rate_limiter_redis_errors_total")
        unchecked_before = _total("rate_limiter_failed_open_total")
        for _ in range(3):
            response = await post(client, initiated(f"rl-{uuid.uuid4().hex}"))
            assert response.status == 201, await response.text()
        batch = {"events": [initiated(f"rl-{uuid.uuid4().hex}") for _ in range(2)]}
        response = await client.post(
            "/api/events/batch", json=batch, headers={"X-API-Key": PRODUCER}
        )
        assert response.status == 200
        assert [r["status"] for r in (await response.json())["results"]] == [201, 201]
    assert _total("rate_limiter_redis_errors_total") > errors_before
    assert _total("rate_limiter_failed_open_total") - unchecked_before == 4


async def test_a_failing_redis_is_logged_once_a_minute_not_per_request_and_its_recovery(
    redis_url: str,
) -> None:
    clock = [1000.0]
    async with write_refusing_user(redis_url) as user:
        client = redis.from_url(user.url)
        limiter = RedisRateLimiter(
            client, 0.5, 1, prefix=f"rl-{uuid.uuid4().hex}", monotonic=lambda: clock[0]
        )
        try:
            with structlog.testing.capture_logs() as logs:
                for _ in range(100):  # 50 s of posts, one every 0.5 s
                    assert (await limiter.check("key")).allowed
                    clock[0] += 0.5
                failing = [e for e in logs if e["event"] == "rate_limiter_unavailable_failing_open"]
                assert len(failing) == 1
                clock[0] += 30  # a minute after the first line
                assert (await limiter.check("key")).allowed
                await user.allow_writes()
                clock[0] += 1
                assert (await limiter.check("key")).allowed
                assert not (await limiter.check("key")).allowed  # limiting again
        finally:
            await client.aclose()
    events = [e["event"] for e in logs]
    assert events.count("rate_limiter_unavailable_failing_open") == 2
    assert events[-1] == "rate_limiter_recovered"
    second = [e for e in logs if e["event"] == "rate_limiter_unavailable_failing_open"][1]
    assert second["unchecked"] >= 60  # the checks skipped or failed since the first line
