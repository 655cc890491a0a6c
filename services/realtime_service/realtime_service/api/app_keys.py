"""What the app holds (`app[KEY]`), set by `app.create_app` and its cleanup contexts."""

from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from realtime_service.adapters.auth_deadline import AuthDeadline
from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.adapters.postgres_backlog import PostgresBacklog
from realtime_service.adapters.redis_subscriber import RelaySubscriber
from realtime_service.api.namespace import RealtimeNamespace
from realtime_service.api.settings import Settings
from realtime_service.domain.resume_seam import ResumeRegistry

SETTINGS_KEY = web.AppKey("settings", Settings)
SIO_KEY: web.AppKey[Any] = web.AppKey("sio")
METRICS_KEY = web.AppKey("metrics", RealtimeMetrics)
REDIS_KEY = web.AppKey("redis", Redis)
"""Client for commands (the readiness PING); the subscription has a client of its own."""
SUBSCRIBER_KEY = web.AppKey("subscriber", RelaySubscriber)
NAMESPACE_KEY = web.AppKey("namespace", RealtimeNamespace)
RESUMES_KEY = web.AppKey("resumes", ResumeRegistry)
"""Shared by the namespace (marks resuming sockets) and the relay delivery (holds their
messages)."""
BACKLOG_KEY = web.AppKey("backlog", PostgresBacklog)
AUTH_DEADLINE_KEY = web.AppKey("auth_deadline", AuthDeadline)
INSTANCE_KEY = web.AppKey("instance", str)
"""Random id of this app, in its Redis client names (see CLIENT LIST) and logs."""
