"""Typed application state (web.AppKey): what the composition root hands the handlers."""

from typing import Any

from aiohttp import web

from call_service.adapters.postgres.agents_repository import PostgresAgentReads
from call_service.adapters.postgres.alerts_repository import PostgresAlertReads
from call_service.adapters.postgres.call_reads import PostgresCallReads
from call_service.adapters.postgres.thresholds_cache import ThresholdsCache
from call_service.adapters.redis_rate_limiter import RedisRateLimiter
from call_service.api.problems import ErrorKinds
from call_service.service.ports import Clock, UnitOfWorkFactory
from call_service.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
POOL: web.AppKey[Any] = web.AppKey("pool")
REDIS: web.AppKey[Any] = web.AppKey("redis")
UOW_FACTORY = web.AppKey("uow_factory", UnitOfWorkFactory)
CALL_READS = web.AppKey("call_reads", PostgresCallReads)
CLOCK = web.AppKey("clock", Clock)
RATE_LIMITER = web.AppKey("rate_limiter", RedisRateLimiter)
ALERT_READS = web.AppKey("alert_reads", PostgresAlertReads)
AGENT_READS = web.AppKey("agent_reads", PostgresAgentReads)
THRESHOLDS_CACHE = web.AppKey("thresholds_cache", ThresholdsCache)
ERROR_KINDS = web.AppKey("error_kinds", ErrorKinds)
