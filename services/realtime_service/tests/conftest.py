"""Fixtures: the app on a free port against a real Redis, clients, envelopes.

Redis (and PostgreSQL, for resumes) come from the shared fixtures of
`devstack.pytest_plugin` (`redis_url`, `database_url`, …): a TEST_* variable, the server
on this machine's standard port, or an embedded one. Every test gets its own relay
channel, so tests never see each other's messages (nor those of other suites sharing the
Redis). Helpers reach tests as fixtures because `--import-mode=importlib` makes conftest
unimportable.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from contracts.calls import Call
from contracts.enums import CallStatus, EventType, Media
from contracts.events import CallEvent
from contracts.realtime import (
    AlertEnvelope,
    AlertMessage,
    CallEventEnvelope,
    CallEventMessage,
)
from realtime_service.api.app import create_app
from realtime_service.api.app_keys import SIO_KEY, SUBSCRIBER_KEY
from realtime_service.api.settings import Settings
from service_kit.api_keys import parse_api_keys

READ_KEY = "reader-key-0123456789"
WRITE_KEY = "writer-key-0123456789"
ADMIN_KEY = "admin-key-0123456789"
API_KEYS = f"{READ_KEY}:calls:read,{WRITE_KEY}:events:write,{ADMIN_KEY}:admin"
DEADLINE_S = 5.0


async def wait_until(predicate: Callable[[], bool], within: float = DEADLINE_S) -> None:
    """Poll `predicate` until true; fail the test at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.01)


def call_event_envelope(
    call_id: str = "call-1",
    seq: int = 1,
    queue_id: str | None = "q-main",
    queue_ids: list[str] | None = None,
    correlation_id: str | None = "corr-1",
) -> CallEventEnvelope:
    now = datetime.now(UTC)
    event = CallEvent(
        id=str(uuid.uuid4()),
        event_id=None,
        call_id=call_id,
        seq=seq,
        type=EventType.CALL_INITIATED if seq == 1 else EventType.CALL_ROUTED,
        timestamp=now,
        received_at=now,
        data={"media": "voice", "queue_id": queue_id} if seq == 1 else {"agent_id": "a-1"},
    )
    call = Call(
        id=call_id,
        status=CallStatus.WAITING if seq == 1 else CallStatus.ROUTED,
        queue_id=queue_id,
        media=Media.VOICE,
        agent_id=None if seq == 1 else "a-1",
        start_time=now,
        answered_at=None,
        end_time=None,
        end_reason=None,
        wait_time=None,
        duration=None,
        last_seq=seq,
        updated_at=now,
    )
    return CallEventEnvelope(
        correlation_id=correlation_id,
        queue_ids=[queue_id] if queue_ids is None and queue_id else (queue_ids or []),
        message=CallEventMessage(event=event, call=call),
    )


def alert_envelope(alert_id: str = "alert-1", call_id: str = "call-1") -> AlertEnvelope:
    return AlertEnvelope(
        correlation_id="corr-alert",
        message=AlertMessage(
            id=alert_id,
            kind="sla_breached",
            call_id=call_id,
            queue_id="q-main",
            agent_id=None,
            at=datetime.now(UTC),
            detail="not answered within 30 s",
        ),
    )


@dataclass
class Realtime:
    """A running realtime app and what tests need to drive it."""

    app: web.Application
    url: str
    channel: str
    redis: Redis
    server: TestServer

    async def publish(self, envelope: CallEventEnvelope | AlertEnvelope | str) -> None:
        body = envelope if isinstance(envelope, str) else envelope.model_dump_json()
        await self.redis.publish(self.channel, body)

    async def wait_for_room(self, room: str, members: int = 1) -> None:
        sio = self.app[SIO_KEY]
        await wait_until(lambda: len(list(sio.manager.get_participants("/", room))) >= members)


@dataclass
class Listener:
    """A connected Socket.io client that queues every call_event and alert it receives."""

    client: socketio.AsyncClient
    received: asyncio.Queue[tuple[str, dict[str, Any]]] = field(default_factory=asyncio.Queue)

    async def subscribe(self, room: str) -> dict[str, Any]:
        ack: dict[str, Any] = await self.client.call("subscribe", {"room": room}, timeout=5)
        return ack

    async def next(self) -> tuple[str, dict[str, Any]]:
        return await asyncio.wait_for(self.received.get(), DEADLINE_S)

    async def next_call_events_until(self, call_id: str) -> list[dict[str, Any]]:
        """Every call_event received up to and including the first of `call_id`."""
        events = []
        while True:
            name, payload = await self.next()
            if name == "call_event":
                events.append(payload)
                if payload["event"]["call_id"] == call_id:
                    return events


@dataclass(frozen=True)
class Keys:
    read: str = READ_KEY
    write: str = WRITE_KEY
    admin: str = ADMIN_KEY


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def make_call_event() -> Callable[..., CallEventEnvelope]:
    return call_event_envelope


@pytest.fixture
def make_alert() -> Callable[..., AlertEnvelope]:
    return alert_envelope


@pytest.fixture
def channel() -> str:
    return f"test-realtime:{uuid.uuid4().hex}"


@pytest.fixture
def settings(channel: str, redis_url: str) -> Settings:
    return Settings(
        redis_url=redis_url,
        api_keys=parse_api_keys(API_KEYS),
        redis_channel=channel,
        cors_origins=("http://127.0.0.1:3000",),
    )


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


StartRealtime = Callable[..., Awaitable[Realtime]]


@pytest.fixture
async def start(settings: Settings, redis: Redis) -> AsyncIterator[StartRealtime]:
    """Start realtime apps on free ports (a test may start a second process); closed after."""
    servers: list[TestServer] = []

    async def factory(app_settings: Settings | None = None, subscribed: bool = True) -> Realtime:
        chosen = app_settings or settings
        app = create_app(chosen)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        url = str(server.make_url("")).rstrip("/")
        running = Realtime(app, url, chosen.redis_channel, redis, server)
        if subscribed:
            await wait_until(lambda: app[SUBSCRIBER_KEY].connected)
        return running

    yield factory
    for server in servers:
        await server.close()


@pytest.fixture
async def realtime(start: StartRealtime) -> Realtime:
    return await start()


ListenerFactory = Callable[..., Awaitable[Listener]]


@pytest.fixture
async def connect(realtime: Realtime) -> AsyncIterator[ListenerFactory]:
    """Connect listeners to `realtime` (or to another running app's url)."""
    clients: list[socketio.AsyncClient] = []

    async def factory(
        key: str = READ_KEY, url: str | None = None, transports: list[str] | None = None
    ) -> Listener:
        client = socketio.AsyncClient(reconnection=False)
        listener = Listener(client)
        for name in ("call_event", "alert"):
            client.on(name, _enqueue(listener, name))
        clients.append(client)
        await client.connect(
            url or realtime.url,
            auth={"apiKey": key},
            transports=transports or ["websocket"],
            wait_timeout=5,
        )
        return listener

    yield factory
    for client in clients:
        await client.disconnect()


def _enqueue(listener: Listener, name: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def handler(payload: dict[str, Any]) -> None:
        await listener.received.put((name, payload))

    return handler


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    """`await eventually(predicate)`: poll until true, fail at the deadline."""
    return wait_until
