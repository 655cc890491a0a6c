"""Configuration from the environment, read once by each entry point."""

import os
from dataclasses import dataclass, field

from call_service.domain.call import DEFAULT_THRESHOLDS, Thresholds
from call_service.domain.webhook_targets import AllowedTargets, parse_allowed_targets
from contracts.realtime import RELAY_CHANNEL
from service_kit.env_settings import (
    SettingsError,
    comma_list,
    cors_origins,
    count,
    number,
    port,
    required,
)

__all__ = ["Settings", "SettingsError", "allowed_targets", "load_settings"]

MAX_AUTO_API_WORKERS = 4


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    api_keys: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    redis_channel: str = RELAY_CHANNEL
    cors_origins: tuple[str, ...] = ()
    default_thresholds: Thresholds = DEFAULT_THRESHOLDS
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
    relay_max_backoff_s: float = 5.0
    relay_require_subscriber: bool = True
    """A publish no subscriber received is retried; RELAY_REQUIRE_SUBSCRIBER=false: sent."""
    outbox_retention_s: float = 3600.0
    rate_limit_per_s: float = 500.0
    rate_limit_burst: int = 1000
    db_pool_size: int = 20
    queue_cache_ttl_s: float = 1.0
    api_workers: int = 1
    """api processes sharing the port (api/workers.py); API_WORKERS=0 means one per core, at
    most MAX_AUTO_API_WORKERS (each worker holds up to DB_POOL_SIZE connections)."""
    max_future_skew_s: float = 300.0
    """How far ahead of this server's clock an event's `timestamp` may be (422 beyond)."""
    db_acquire_timeout_s: float = 5.0
    """How long a request waits for a pooled PostgreSQL connection before answering 503."""
    request_timeout_s: float = 30.0
    """The longest a request may run before it is answered 503 (the handler is cancelled)."""
    max_pending_new_calls: int = 2000
    """New calls waiting for the group commit at once in one api process; beyond, 503."""
    webhook_targets: AllowedTargets = field(default_factory=AllowedTargets)
    """WEBHOOK_ALLOWED_HOSTS: hosts and CIDRs a webhook may target although they are not
    public (loopback, private); parsed once, at start-up."""


def load_settings(
    env: dict[str, str] | None = None, *, need_keys: bool = True, need_redis: bool = True
) -> Settings:
    env = dict(os.environ if env is None else env)
    defaults = DEFAULT_THRESHOLDS
    return Settings(
        database_url=required(env, "DATABASE_URL"),
        redis_url=required(env, "REDIS_URL") if need_redis else env.get("REDIS_URL", ""),
        api_keys=required(env, "API_KEYS") if need_keys else env.get("API_KEYS", ""),
        host=env.get("CALL_SERVICE_HOST", "127.0.0.1"),
        port=port(env, "CALL_SERVICE_PORT", 8000),
        redis_channel=env.get("REDIS_CHANNEL") or RELAY_CHANNEL,
        cors_origins=cors_origins(env),
        default_thresholds=Thresholds(
            sla_seconds=number(env, "SLA_SECONDS", defaults.sla_seconds),
            no_answer_seconds=number(env, "NO_ANSWER_SECONDS", defaults.no_answer_seconds),
            max_hold_seconds=number(env, "MAX_HOLD_SECONDS", defaults.max_hold_seconds),
            short_call_seconds=number(env, "SHORT_CALL_SECONDS", defaults.short_call_seconds),
        ),
        relay_batch_size=count(env, "RELAY_BATCH_SIZE", 500),
        relay_poll_interval_s=number(env, "RELAY_POLL_INTERVAL_S", 1.0),
        relay_max_backoff_s=number(env, "RELAY_MAX_BACKOFF_S", 5.0),
        relay_require_subscriber=env.get("RELAY_REQUIRE_SUBSCRIBER", "true").lower() != "false",
        outbox_retention_s=number(env, "OUTBOX_RETENTION_S", 3600.0),
        rate_limit_per_s=number(env, "RATE_LIMIT_PER_S", 500.0, allow_zero=True),
        rate_limit_burst=count(env, "RATE_LIMIT_BURST", 1000),
        db_pool_size=count(env, "DB_POOL_SIZE", 20),
        queue_cache_ttl_s=number(env, "QUEUE_CACHE_TTL_S", 1.0, allow_zero=True),
        api_workers=count(env, "API_WORKERS", 1, minimum=0)
        or min(os.cpu_count() or 1, MAX_AUTO_API_WORKERS),
        max_future_skew_s=number(env, "MAX_FUTURE_SKEW_SECONDS", 300.0, allow_zero=True),
        db_acquire_timeout_s=number(env, "DB_ACQUIRE_TIMEOUT_S", 5.0),
        request_timeout_s=number(env, "REQUEST_TIMEOUT_S", 30.0),
        max_pending_new_calls=count(env, "MAX_PENDING_NEW_CALLS", 2000),
        webhook_targets=allowed_targets(comma_list(env, "WEBHOOK_ALLOWED_HOSTS")),
    )


def allowed_targets(entries: tuple[str, ...]) -> AllowedTargets:
    """WEBHOOK_ALLOWED_HOSTS parsed; SettingsError (exit 2) names a bad entry."""
    try:
        return parse_allowed_targets(entries)
    except ValueError as exc:
        raise SettingsError(f"WEBHOOK_ALLOWED_HOSTS: {exc}") from exc
