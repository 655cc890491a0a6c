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

DEFAULT_PORT = 8001
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DASHBOARD_PORT = "3000"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class SettingsError(ValueError):
    """The environment cannot configure the process; the message names the variable."""


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
            redis_url=_redis_url(source),
            api_keys=_api_keys(source),
            host=source.get("REALTIME_HOST", "").strip() or DEFAULT_HOST,
            port=_port(source),
            redis_channel=source.get("REDIS_CHANNEL", "").strip() or RELAY_CHANNEL,
            cors_origins=_cors_origins(source),
            auth_deadline_s=_positive(source, "REALTIME_AUTH_DEADLINE_S", AUTH_DEADLINE_S),
            database_url=_database_url(source),
            max_queued_messages=_count(
                source,
                "REALTIME_MAX_QUEUED_MESSAGES",
                DEFAULT_MAX_QUEUED_MESSAGES,
                # A resume queues up to MAX_EVENTS messages at once: a smaller cap would
                # disconnect every socket that resumes far enough.
                minimum=MAX_EVENTS + 1,
            ),
            resumes_per_minute=_count(
                source, "REALTIME_RESUMES_PER_MINUTE", DEFAULT_RESUMES_PER_MINUTE, minimum=1
            ),
        )


def _count(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not _is_small_number(raw, digits=9) or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds") from exc
    if not value > 0:
        raise SettingsError(f"{name} must be positive")
    return value


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is required but not set")
    return value


def _redis_url(env: Mapping[str, str]) -> str:
    url = _required(env, "REDIS_URL")
    if not url.startswith(_REDIS_SCHEMES):
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")
    return url


def _database_url(env: Mapping[str, str]) -> str | None:
    url = env.get("DATABASE_URL", "").strip()
    if url and not url.startswith(_POSTGRES_SCHEMES):
        raise SettingsError("DATABASE_URL must start with postgresql:// or postgres://")
    return url or None


def _api_keys(env: Mapping[str, str]) -> ApiKeyRing:
    try:
        return parse_api_keys(_required(env, "API_KEYS"))
    except ApiKeyConfigError as exc:
        # The parser's messages never contain a key, so they are safe to show.
        raise SettingsError(f"API_KEYS is invalid: {exc}") from exc


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("REALTIME_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not _is_small_number(raw, digits=5) or not 0 < int(raw) < 65536:
        raise SettingsError(f"REALTIME_PORT must be a port number (1-65535), got {raw!r}")
    return int(raw)


def _is_small_number(raw: str, digits: int) -> bool:
    """ASCII digits only, and few enough that `int()` takes them (it refuses > 4300)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits


def _cors_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("CORS_ORIGINS")
    if raw is None or not raw.strip():
        dashboard_port = env.get("DASHBOARD_PORT", "").strip() or DEFAULT_DASHBOARD_PORT
        return (
            f"http://127.0.0.1:{dashboard_port}",
            f"http://localhost:{dashboard_port}",
        )
    return tuple(origin.strip() for origin in raw.split(",") if origin.strip())
