"""With PostgreSQL unreachable the API answers 503 problems, and /ready says so."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient, unused_port

from call_service.api.app import create_app

from .conftest import PRODUCER, READER, initiated, make_settings


async def test_posts_and_reads_get_503_while_the_database_is_unreachable(
    redis_url: str, aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]]
) -> None:
    settings = make_settings(f"postgresql://postgres@127.0.0.1:{unused_port()}/none", redis_url)
    client = await aiohttp_client(create_app(settings))
    posted = await client.post(
        "/api/events", json=initiated("c-x"), headers={"X-API-Key": PRODUCER}
    )
    assert posted.status == 503
    assert posted.content_type == "application/problem+json"
    assert "Traceback" not in await posted.text()
    listed = await client.get("/api/calls", headers={"X-API-Key": READER})
    assert listed.status == 503
    ready = await client.get("/ready")
    assert ready.status == 503
    assert (await ready.json())["checks"] == {"postgres": "unavailable", "redis": "ok"}
    assert (await client.get("/health")).status == 200
