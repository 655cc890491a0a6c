"""Configuration from the environment, read once by each entry point."""

import os
from dataclasses import dataclass, field

from call_service.domain.call import Thresholds
from contracts.realtime import RELAY_CHANNEL


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
    outbox_retention_s: float = 3600.0
    rate_limit_per_s: float = 500.0
    rate_limit_burst: int = 1000


def _require(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set")
    return value


def _number(env: dict[str, str], name: str, default: float, allow_zero: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value < 0 or (value == 0 and not allow_zero):
        raise SettingsError(f"{name} must be positive")
    return value


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
        port=int(_number(env, "CALL_SERVICE_PORT", 8000)),
        redis_channel=env.get("REDIS_CHANNEL") or RELAY_CHANNEL,
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        default_thresholds=Thresholds(
            sla_seconds=_number(env, "SLA_SECONDS", 30),
            no_answer_seconds=_number(env, "NO_ANSWER_SECONDS", 15),
            max_hold_seconds=_number(env, "MAX_HOLD_SECONDS", 60),
            short_call_seconds=_number(env, "SHORT_CALL_SECONDS", 10),
        ),
        relay_batch_size=int(_number(env, "RELAY_BATCH_SIZE", 500)),
        relay_poll_interval_s=_number(env, "RELAY_POLL_INTERVAL_S", 1.0),
        relay_max_backoff_s=_number(env, "RELAY_MAX_BACKOFF_S", 5.0),
        outbox_retention_s=_number(env, "OUTBOX_RETENTION_S", 3600.0),
        rate_limit_per_s=_number(env, "RATE_LIMIT_PER_S", 500.0, allow_zero=True),
        rate_limit_burst=int(_number(env, "RATE_LIMIT_BURST", 1000)),
    )
