"""Configuration from the environment, read once by each entry point."""

import os
from dataclasses import dataclass, field

from call_service.domain.call import Thresholds
from call_service.domain.webhook_targets import AllowedTargets, parse_allowed_targets
from contracts.realtime import RELAY_CHANNEL

MAX_AUTO_API_WORKERS = 4


class SettingsError(ValueError):
    """A required variable is missing or malformed; the process exits 2 with this message."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    api_keys: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    redis_channel: str = RELAY_CHANNEL
    cors_origins: tuple[str, ...] = ()
    default_thresholds: Thresholds = field(default_factory=lambda: Thresholds(30, 15, 60, 10))
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


def _require(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set")
    return value


def env_number(
    env: dict[str, str], name: str, default: float, *, allow_zero: bool = False
) -> float:
    """A positive number (or zero, with `allow_zero`); `default` when unset or blank.

    Shared by every process's knobs so that a bad value is refused the same way
    everywhere: with SettingsError, hence exit 2 and the variable's name.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if not (value > 0 or (allow_zero and value == 0)):  # NaN is neither
        raise SettingsError(f"{name} must be positive")
    return value


def env_count(env: dict[str, str], name: str, default: int) -> int:
    """A whole number of at least 1 (no sign, no decimals); `default` when unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def load_settings(
    env: dict[str, str] | None = None, *, need_keys: bool = True, need_redis: bool = True
) -> Settings:
    env = dict(os.environ if env is None else env)
    dashboard_port = env.get("DASHBOARD_PORT", "3000")
    origins = env.get(
        "CORS_ORIGINS", f"http://127.0.0.1:{dashboard_port},http://localhost:{dashboard_port}"
    )
    return Settings(
        database_url=_require(env, "DATABASE_URL"),
        redis_url=_require(env, "REDIS_URL") if need_redis else env.get("REDIS_URL", ""),
        api_keys=_require(env, "API_KEYS") if need_keys else env.get("API_KEYS", ""),
        host=env.get("CALL_SERVICE_HOST", "127.0.0.1"),
        port=int(env_number(env, "CALL_SERVICE_PORT", 8000)),
        redis_channel=env.get("REDIS_CHANNEL") or RELAY_CHANNEL,
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        default_thresholds=Thresholds(
            sla_seconds=env_number(env, "SLA_SECONDS", 30),
            no_answer_seconds=env_number(env, "NO_ANSWER_SECONDS", 15),
            max_hold_seconds=env_number(env, "MAX_HOLD_SECONDS", 60),
            short_call_seconds=env_number(env, "SHORT_CALL_SECONDS", 10),
        ),
        relay_batch_size=int(env_number(env, "RELAY_BATCH_SIZE", 500)),
        relay_poll_interval_s=env_number(env, "RELAY_POLL_INTERVAL_S", 1.0),
        relay_max_backoff_s=env_number(env, "RELAY_MAX_BACKOFF_S", 5.0),
        relay_require_subscriber=env.get("RELAY_REQUIRE_SUBSCRIBER", "true").lower() != "false",
        outbox_retention_s=env_number(env, "OUTBOX_RETENTION_S", 3600.0),
        rate_limit_per_s=env_number(env, "RATE_LIMIT_PER_S", 500.0, allow_zero=True),
        rate_limit_burst=int(env_number(env, "RATE_LIMIT_BURST", 1000)),
        db_pool_size=int(env_number(env, "DB_POOL_SIZE", 20)),
        queue_cache_ttl_s=env_number(env, "QUEUE_CACHE_TTL_S", 1.0, allow_zero=True),
        api_workers=int(env_number(env, "API_WORKERS", 1, allow_zero=True))
        or min(os.cpu_count() or 1, MAX_AUTO_API_WORKERS),
        max_future_skew_s=env_number(env, "MAX_FUTURE_SKEW_SECONDS", 300.0, allow_zero=True),
        db_acquire_timeout_s=env_number(env, "DB_ACQUIRE_TIMEOUT_S", 5.0),
        request_timeout_s=env_number(env, "REQUEST_TIMEOUT_S", 30.0),
        max_pending_new_calls=env_count(env, "MAX_PENDING_NEW_CALLS", 2000),
        webhook_targets=allowed_targets(env_list(env, "WEBHOOK_ALLOWED_HOSTS")),
    )


def allowed_targets(entries: tuple[str, ...]) -> AllowedTargets:
    """WEBHOOK_ALLOWED_HOSTS parsed; SettingsError (exit 2) names a bad entry."""
    try:
        return parse_allowed_targets(entries)
    except ValueError as exc:
        raise SettingsError(f"WEBHOOK_ALLOWED_HOSTS: {exc}") from exc


def env_list(env: dict[str, str], name: str) -> tuple[str, ...]:
    """A comma list, blanks dropped; empty when unset."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())
