"""Process configuration read once from the environment at start-up.

Required values fail fast with a message naming the variable, so a missing
REDIS_URL is a one-line error at launch instead of a stack trace later.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from contracts.realtime import RELAY_CHANNEL
from realtime_service.adapters.auth_deadline import AUTH_DEADLINE_S
from realtime_service.adapters.send_queue import DEFAULT_MAX_QUEUED_MESSAGES
from realtime_service.domain.backlog import MAX_EVENTS
from realtime_service.domain.resume_allowance import DEFAULT_RESUMES_PER_MINUTE
from service_kit.api_keys import ApiKeyConfigError, ApiKeyRing, parse_api_keys
from service_kit.env_settings import (
    SettingsError,
    cors_origins,
    count,
    number,
    port,
    required,
    url,
)

DEFAULT_PORT = 8001
DEFAULT_HOST = "127.0.0.1"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")

__all__ = ["Settings", "SettingsError"]


@dataclass(frozen=True)
class Settings:
    redis_url: str
    api_keys: ApiKeyRing
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    redis_channel: str = RELAY_CHANNEL
    cors_origins: tuple[str, ...] = ()
    auth_deadline_s: float = AUTH_DEADLINE_S
    """Seconds a transport may stay open without authenticating (REALTIME_AUTH_DEADLINE_S)."""
    database_url: str | None = None
    """PostgreSQL, read-only, for subscribes with since_seq; without it they are refused."""
    max_queued_messages: int = DEFAULT_MAX_QUEUED_MESSAGES
    """Messages one socket may have waiting to be sent; beyond, it is disconnected
    (REALTIME_MAX_QUEUED_MESSAGES)."""
    resumes_per_minute: int = DEFAULT_RESUMES_PER_MINUTE
    """Subscribes with since_seq one socket may make per minute (REALTIME_RESUMES_PER_MINUTE)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        source = os.environ if env is None else env
        return cls(
            redis_url=url(source, "REDIS_URL", _REDIS_SCHEMES) or required(source, "REDIS_URL"),
            api_keys=_api_keys(source),
            host=source.get("REALTIME_HOST", "").strip() or DEFAULT_HOST,
            port=port(source, "REALTIME_PORT", DEFAULT_PORT),
            redis_channel=source.get("REDIS_CHANNEL", "").strip() or RELAY_CHANNEL,
            cors_origins=cors_origins(source),
            auth_deadline_s=number(source, "REALTIME_AUTH_DEADLINE_S", AUTH_DEADLINE_S),
            database_url=url(source, "DATABASE_URL", _POSTGRES_SCHEMES) or None,
            max_queued_messages=count(
                source,
                "REALTIME_MAX_QUEUED_MESSAGES",
                DEFAULT_MAX_QUEUED_MESSAGES,
                # A resume queues up to MAX_EVENTS messages at once: a smaller cap would
                # disconnect every socket that resumes far enough.
                minimum=MAX_EVENTS + 1,
            ),
            resumes_per_minute=count(
                source, "REALTIME_RESUMES_PER_MINUTE", DEFAULT_RESUMES_PER_MINUTE
            ),
        )


def _api_keys(env: Mapping[str, str]) -> ApiKeyRing:
    try:
        return parse_api_keys(required(env, "API_KEYS"))
    except ApiKeyConfigError as exc:
        # The parser's messages never contain a key, so they are safe to show.
        raise SettingsError(f"API_KEYS is invalid: {exc}") from exc
