"""App factory for the call service: the composition root of the HTTP process.

Every adapter is built here, once per process, and handed to the handlers through
the typed application keys (app_keys.py), whose types are the ports.
"""

from collections.abc import AsyncIterator

import redis.asyncio as redis
from aiohttp import web

from call_service.adapters.postgres.agents_repository import PostgresAgentReads
from call_service.adapters.postgres.alerts_repository import PostgresAlertReads
from call_service.adapters.postgres.call_reads import PostgresCallReads
from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.new_call_group import NewCallGroup
from call_service.adapters.postgres.outbox_status_reads import PostgresOutboxStatusReads
from call_service.adapters.postgres.pool import create_pool
from call_service.adapters.postgres.queue_admin import PostgresQueueAdmin
from call_service.adapters.postgres.stats_reads import PostgresStatsReads
from call_service.adapters.postgres.unavailable import (
    UNAVAILABLE_ERRORS,
    UNSTORABLE_VALUE_ERRORS,
)
from call_service.adapters.postgres.unit_of_work import PostgresUnitOfWork
from call_service.adapters.postgres.webhooks_repository import PostgresWebhooksRepository
from call_service.adapters.redis_rate_limiter import RedisRateLimiter
from call_service.adapters.system_clock import SystemClock
from call_service.adapters.system_resolver import SystemResolver
from call_service.adapters.thresholds_cache import ThresholdsCache
from call_service.api import batch_handler
from call_service.api.app_keys import (
    AGENT_READS,
    ALERT_READS,
    CALL_READS,
    CLOCK,
    ERROR_KINDS,
    OUTBOX_STATUS,
    POOL,
    QUEUE_ADMIN,
    RATE_LIMITER,
    REDIS,
    SETTINGS,
    STATS_READS,
    THRESHOLDS_CACHE,
    UOW_FACTORY,
    WEBHOOK_HOST_RESOLVER,
    WEBHOOK_REGISTRY,
)
from call_service.api.auth import API_KEY_RING
from call_service.api.http_headers import cors_and_security
from call_service.api.observability import observe
from call_service.api.openapi import Route, build_openapi, operation
from call_service.api.outbox_gauges import refresh_outbox_gauges
from call_service.api.problems import ErrorKinds, error_middleware
from call_service.api.request_deadline import request_deadline
from call_service.api.request_guard import refuse_control_characters
from call_service.api.routes import API_ROUTES, MODELS, PROBE_SUMMARIES
from call_service.settings import Settings
from service_kit.api_keys import parse_api_keys
from service_kit.probes import probe_routes


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = await create_pool(
        settings.database_url,
        max_size=settings.db_pool_size,
        acquire_timeout_s=settings.db_acquire_timeout_s,
    )
    signal = CommitSignal(pool)
    thresholds = app[THRESHOLDS_CACHE] = ThresholdsCache(settings.queue_cache_ttl_s)
    new_calls = NewCallGroup(pool, signal, max_pending=settings.max_pending_new_calls)
    client = redis.from_url(settings.redis_url, socket_connect_timeout=0.5, socket_timeout=1)
    app[POOL] = pool
    app[REDIS] = client

    def unit_of_work() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(pool, signal, thresholds, new_calls)

    app[UOW_FACTORY] = unit_of_work
    app[CALL_READS] = PostgresCallReads(pool)
    app[ALERT_READS] = PostgresAlertReads(pool)
    app[AGENT_READS] = PostgresAgentReads(pool)
    app[STATS_READS] = PostgresStatsReads(pool)
    app[QUEUE_ADMIN] = PostgresQueueAdmin(pool)
    app[WEBHOOK_REGISTRY] = PostgresWebhooksRepository(pool)
    app[OUTBOX_STATUS] = PostgresOutboxStatusReads(pool)
    app[RATE_LIMITER] = RedisRateLimiter(
        client, settings.rate_limit_per_s, settings.rate_limit_burst
    )
    yield
    await client.aclose()
    await signal.close()
    await pool.close()


def create_app(settings: Settings) -> web.Application:
    kinds = ErrorKinds(unavailable=UNAVAILABLE_ERRORS, unstorable=UNSTORABLE_VALUE_ERRORS)
    app = web.Application(
        client_max_size=batch_handler.MAX_BATCH_BYTES,
        middlewares=[
            observe,
            cors_and_security(settings.cors_origins),
            error_middleware(kinds),
            refuse_control_characters,
            request_deadline(settings.request_timeout_s),
        ],
    )
    app[SETTINGS] = settings
    app[ERROR_KINDS] = kinds
    app[API_KEY_RING] = parse_api_keys(settings.api_keys)
    app[CLOCK] = SystemClock()
    app[WEBHOOK_HOST_RESOLVER] = SystemResolver()
    app.cleanup_ctx.append(_resources)

    async def postgres_ready() -> None:
        async with app[POOL].acquire() as conn:
            await conn.fetchval("SELECT 1")

    async def redis_ready() -> None:
        await app[REDIS].ping()

    async def refresh() -> None:
        await refresh_outbox_gauges(app[OUTBOX_STATUS], UNAVAILABLE_ERRORS)

    probes = [
        Route(
            probe.method,
            probe.path,
            probe.handler,
            operation(PROBE_SUMMARIES[probe.path], None, secured=False),
        )
        for probe in probe_routes(
            {"postgres": postgres_ready, "redis": redis_ready}, before_scrape=refresh
        )
    ]
    routes = [*API_ROUTES, *probes]
    openapi = build_openapi(routes, MODELS)

    async def get_openapi(_request: web.Request) -> web.Response:
        return web.json_response(openapi)

    routes.append(Route("GET", "/api/openapi.json", get_openapi))
    app.add_routes([web.route(r.method, r.path, r.handler) for r in routes])
    return app
