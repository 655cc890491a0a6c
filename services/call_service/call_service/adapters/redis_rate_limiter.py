"""Per-key token bucket kept in Redis, so the limit holds across api processes.

The bucket lives in one hash per key and is refilled and spent atomically by a
Lua script using the server's clock. When Redis fails in any way — unreachable,
timing out, or answering with an error (out of memory under `noeviction`, a
read-only replica, an ACL refusal) — the limiter fails open: producers keep
posting (losing events is worse than a burst). It then stops asking Redis for a
moment, so an outage adds no latency to every post, and logs at most once per
`LOG_EVERY_S` how many checks it skipped.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Counter
from redis.exceptions import RedisError

_log = structlog.get_logger(__name__)

BUCKET_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = (math.min(cost, burst) - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(wait)}
"""
PAUSE_AFTER_FAILURE_S = 1.0
LOG_EVERY_S = 60.0
REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
"""Every way a Redis call can fail: the driver's errors, and socket errors it lets through."""

REDIS_ERRORS = Counter(
    "rate_limiter_redis_errors_total",
    "Rate limit checks that failed in Redis (the request was let through).",
    ["error"],
)
FAILED_OPEN = Counter(
    "rate_limiter_failed_open_total",
    "Requests let through unchecked because Redis was failing.",
)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


class RedisRateLimiter:
    def __init__(
        self,
        client: Any,
        rate_per_s: float,
        burst: int,
        prefix: str = "ratelimit",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._rate = rate_per_s
        self._burst = burst
        self._prefix = prefix
        self._script = client.register_script(BUCKET_SCRIPT)
        self._monotonic = monotonic
        self._skip_until = 0.0
        self._next_log_at = 0.0
        self._unchecked_since_log = 0
        self._failing = False

    async def check(self, key_label: str, cost: int = 1) -> RateDecision:
        """Take `cost` tokens; a cost above the burst waits for a full bucket and then passes."""
        if self._rate <= 0:
            return RateDecision(True)
        if self._monotonic() < self._skip_until:
            self._let_through_unchecked()
            return RateDecision(True)
        try:
            allowed, wait = await self._script(
                keys=[f"{self._prefix}:{key_label}"],
                args=[self._rate, self._burst, min(cost, self._burst)],
            )
        except REDIS_FAILURES as exc:
            self._failed(exc)
            return RateDecision(True)
        if self._failing:
            self._failing = False
            _log.info("rate_limiter_recovered", unchecked=self._unchecked_since_log)
            self._unchecked_since_log = 0
            self._next_log_at = 0.0
        if int(allowed) == 1:
            return RateDecision(True)
        return RateDecision(False, max(1, math.ceil(float(wait))))

    def _failed(self, exc: BaseException) -> None:
        now = self._monotonic()
        self._skip_until = now + PAUSE_AFTER_FAILURE_S
        self._failing = True
        REDIS_ERRORS.labels(type(exc).__name__).inc()
        self._let_through_unchecked()
        if now >= self._next_log_at:
            self._next_log_at = now + LOG_EVERY_S
            _log.warning(
                "rate_limiter_unavailable_failing_open",
                error=type(exc).__name__,
                unchecked=self._unchecked_since_log,
            )
            self._unchecked_since_log = 0

    def _let_through_unchecked(self) -> None:
        FAILED_OPEN.inc()
        self._unchecked_since_log += 1
