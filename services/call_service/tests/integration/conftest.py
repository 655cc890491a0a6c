"""The real call service app on a real, migrated PostgreSQL and a real Redis."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app
from call_service.settings import Settings, load_settings

PRODUCER = "producer-key"
READER = "reader-key"
ADMIN = "admin-key"
NO_SCOPE_KEY = "acker-key"
API_KEYS = f"{PRODUCER}:events:write,{READER}:calls:read,{ADMIN}:admin,{NO_SCOPE_KEY}:alerts:ack"


def make_settings(database_url: str, redis_url: str, **env: str) -> Settings:
    return load_settings(
        {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "API_KEYS": API_KEYS, **env}
    )


@pytest.fixture
def settings(database_url: str, redis_url: str, redis_channel: str) -> Settings:
    return make_settings(database_url, redis_url, REDIS_CHANNEL=redis_channel)


@pytest.fixture
async def client(
    settings: Settings, aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]]
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def call_id() -> str:
    return f"call-{uuid.uuid4().hex[:12]}"


def event(kind: str, call_id: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "call_id": call_id, "data": data}


def initiated(call_id: str, queue_id: str = "medical_spanish") -> dict[str, Any]:
    return event("call_initiated", call_id, media="voice", queue_id=queue_id)


async def post(client: TestClient[Any, Any], body: Any, key: str = PRODUCER, **kw: Any) -> Any:
    headers = {"X-API-Key": key, **kw.pop("headers", {})}
    return await client.post("/api/events", json=body, headers=headers, **kw)
