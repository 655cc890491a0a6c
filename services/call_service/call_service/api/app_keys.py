"""Typed application keys (web.AppKey): what the composition root (app.py) hands the handlers.

Every key's type is a port, so no handler knows which adapter stands behind it;
app.py builds each adapter once per process and stores it here.
"""

from typing import Any

from aiohttp import web

from call_service.api.problems import ErrorKinds
from call_service.service.event_rate_limit import RateLimiter
from call_service.service.ports import Clock, UnitOfWorkFactory
from call_service.service.read_ports import (
    AgentReads,
    AlertReads,
    CallReads,
    OutboxStatusReads,
    QueueAdmin,
    QueueThresholdsCache,
    StatsReads,
    WebhookRegistry,
)
from call_service.service.target_check import HostResolver
from call_service.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ERROR_KINDS = web.AppKey("error_kinds", ErrorKinds)
CLOCK = web.AppKey("clock", Clock)
UOW_FACTORY = web.AppKey("uow_factory", UnitOfWorkFactory)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
CALL_READS = web.AppKey("call_reads", CallReads)
ALERT_READS = web.AppKey("alert_reads", AlertReads)
AGENT_READS = web.AppKey("agent_reads", AgentReads)
STATS_READS = web.AppKey("stats_reads", StatsReads)
QUEUE_ADMIN = web.AppKey("queue_admin", QueueAdmin)
THRESHOLDS_CACHE = web.AppKey("thresholds_cache", QueueThresholdsCache)
WEBHOOK_REGISTRY = web.AppKey("webhook_registry", WebhookRegistry)
OUTBOX_STATUS = web.AppKey("outbox_status", OutboxStatusReads)
WEBHOOK_HOST_RESOLVER = web.AppKey("webhook_host_resolver", HostResolver)
"""How webhook registrations look up a URL's host (tests put a table of their own here)."""
POOL: web.AppKey[Any] = web.AppKey("pool")
"""The PostgreSQL pool, for the composition root's readiness probe (and tests)."""
REDIS: web.AppKey[Any] = web.AppKey("redis")
"""The Redis client, for the composition root's readiness probe."""
