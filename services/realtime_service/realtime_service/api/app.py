"""App factory: the one place the realtime process is wired together.

Nothing connects at import time. The Redis client and the relay subscriber live
in a `cleanup_ctx`, so they start with the app and stop (task cancelled, client
closed) only if start-up succeeded; so does the PostgreSQL pool of resumes, when
DATABASE_URL is set (it connects lazily, so the process starts with PostgreSQL down).
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import socketio
import structlog
from aiohttp import web
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from realtime_service.adapters.auth_deadline import AuthDeadline
from realtime_service.adapters.connection_census import (
    ConnectionCensus,
    connected_sockets,
    connection_entries,
)
from realtime_service.adapters.engineio_transport import (
    close_transport,
    serve_websockets_uncompressed,
)
from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.adapters.packet_guard import guard_packets
from realtime_service.adapters.postgres_backlog import PostgresBacklog
from realtime_service.adapters.redis_subscriber import RelaySubscriber
from realtime_service.adapters.room_index import RoomIndexedClientManager
from realtime_service.adapters.send_queue import SendQueueCap
from realtime_service.api.app_keys import (
    AUTH_DEADLINE_KEY,
    BACKLOG_KEY,
    INSTANCE_KEY,
    METRICS_KEY,
    NAMESPACE_KEY,
    REDIS_KEY,
    RESUMES_KEY,
    SETTINGS_KEY,
    SIO_KEY,
    SUBSCRIBER_KEY,
)
from realtime_service.api.namespace import RealtimeNamespace
from realtime_service.api.settings import Settings
from realtime_service.domain.resume_seam import ResumeRegistry
from realtime_service.service.relay_delivery import RelayDelivery
from service_kit.probes import probe_routes
from service_kit.security_headers import add_security_headers

MAX_CLIENT_PACKET_BYTES = 64 * 1024
"""Clients only send small subscribe requests; anything bigger is refused."""

_log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    add_security_headers(app)
    metrics = RealtimeMetrics()
    send_queue_cap = SendQueueCap(settings.max_queued_messages, metrics)
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        cors_allowed_origins=list(settings.cors_origins),
        max_http_buffer_size=MAX_CLIENT_PACKET_BYTES,
        client_manager=RoomIndexedClientManager(),
    )
    serve_websockets_uncompressed(sio.eio)
    send_queue_cap.install(sio.eio)
    resumes = ResumeRegistry()
    backlog = PostgresBacklog(settings.database_url) if settings.database_url else None
    namespace = RealtimeNamespace(
        settings.api_keys,
        metrics,
        resumes,
        backlog,
        resumes_per_minute=settings.resumes_per_minute,
    )
    sio.register_namespace(namespace)
    auth_deadline = AuthDeadline(sio, settings.auth_deadline_s)
    guard_packets(sio, metrics)
    metrics.connected_sockets.set_function(lambda: connected_sockets(sio))
    metrics.registry.register(
        ConnectionCensus(lambda: connection_entries(sio, auth_deadline, resumes))
    )
    sio.attach(app, socketio_path="socket.io")
    app[SETTINGS_KEY] = settings
    app[SIO_KEY] = sio
    app[METRICS_KEY] = metrics
    app[NAMESPACE_KEY] = namespace
    app[RESUMES_KEY] = resumes
    app[AUTH_DEADLINE_KEY] = auth_deadline
    app[INSTANCE_KEY] = uuid.uuid4().hex[:12]

    async def redis_reachable() -> None:
        await app[REDIS_KEY].ping()

    async def subscriber_connected() -> None:
        if not app[SUBSCRIBER_KEY].connected:
            raise ConnectionError("not subscribed to the relay channel")

    checks = {"redis": redis_reachable, "subscriber": subscriber_connected}
    if backlog is not None:
        # PostgreSQL only serves resumes, but the contract's /ready covers every dependency.
        app[BACKLOG_KEY] = backlog
        checks["postgres"] = backlog.ping
        app.cleanup_ctx.append(_database)
    app.add_routes(probe_routes(checks, registry=metrics.registry))
    app.cleanup_ctx.append(_relay)
    app.on_shutdown.append(_disconnect_sockets)
    return app


async def _relay(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS_KEY]
    name = f"realtime-service:{app[INSTANCE_KEY]}"
    options: dict[str, Any] = {"socket_connect_timeout": 2, "socket_timeout": 5}
    commands = Redis.from_url(settings.redis_url, client_name=name, **options)
    # The subscription gets its own client without redis-py retries: the
    # subscriber's loop owns reconnection, so /ready, the reconnect counter and
    # the logs see every drop instead of redis-py hiding some of them.
    pubsub = Redis.from_url(
        settings.redis_url,
        client_name=f"{name}:relay",
        socket_keepalive=True,
        health_check_interval=10,
        retry=Retry(NoBackoff(), 0),
        **options,
    )
    delivery = RelayDelivery(app[SIO_KEY], app[METRICS_KEY], resumes=app[RESUMES_KEY])
    subscriber = RelaySubscriber(pubsub, settings.redis_channel, delivery, app[METRICS_KEY])
    app[REDIS_KEY] = commands
    app[SUBSCRIBER_KEY] = subscriber
    task = asyncio.create_task(subscriber.run(), name="relay-subscriber")
    _log.info("realtime_started", channel=settings.redis_channel, instance=app[INSTANCE_KEY])
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await pubsub.aclose()
        await commands.aclose()
        _log.info("realtime_stopped", instance=app[INSTANCE_KEY])


async def _database(app: web.Application) -> AsyncIterator[None]:
    backlog = app[BACKLOG_KEY]
    await backlog.open()
    try:
        yield
    finally:
        await backlog.close()


async def _disconnect_sockets(app: web.Application) -> None:
    """Close every socket now, so shutdown never waits on long-lived handlers.

    An engine.io-level close (not a Socket.io disconnect) lets clients reconnect
    to the next process. `close_transport` does not wait for each socket's queue
    to drain (a long-polling client that has gone away never drains it) and stops
    each socket's writer: the websocket is closed by the server at once (the JS
    client ignores a CLOSE packet on websocket and would otherwise hold the
    handler until the shutdown timeout) and a pending long-poll returns.
    """
    sio = app[SIO_KEY]
    for eio_sid in list(sio.eio.sockets):
        await close_transport(sio.eio, eio_sid)
    await sio.shutdown()
