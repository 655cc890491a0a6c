"""Per-key rate limit on POST /api/events, kept in real Redis."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from call_service.api.app import create_app

from .conftest import API_KEYS, initiated, make_settings, post

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
