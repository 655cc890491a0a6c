"""Per-key token bucket kept in Redis, so the limit holds across api processes.

The bucket lives in one hash per key and is refilled and spent atomically by a
Lua script using the server's clock. When Redis cannot be reached the limiter
fails open (producers keep posting; losing events is worse than a burst) and
stops asking Redis for a moment, so an outage adds no latency to every post.
"""

import math
import time
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
import structlog

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
_PAUSE_AFTER_FAILURE_S = 1.0


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


class RedisRateLimiter:
    def __init__(
        self, client: Any, rate_per_s: float, burst: int, prefix: str = "ratelimit"
    ) -> None:
        self._client = client
        self._rate = rate_per_s
        self._burst = burst
        self._prefix = prefix
        self._script = client.register_script(BUCKET_SCRIPT)
        self._skip_until = 0.0

    async def check(self, key_label: str, cost: int = 1) -> RateDecision:
        """Take `cost` tokens; a cost above the burst waits for a full bucket and then passes."""
        if self._rate <= 0 or time.monotonic() < self._skip_until:
            return RateDecision(True)
        try:
            allowed, wait = await self._script(
                keys=[f"{self._prefix}:{key_label}"],
                args=[self._rate, self._burst, min(cost, self._burst)],
            )
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self._skip_until = time.monotonic() + _PAUSE_AFTER_FAILURE_S
            _log.warning("rate_limiter_unavailable_failing_open", error=type(exc).__name__)
            return RateDecision(True)
        if int(allowed) == 1:
            return RateDecision(True)
        return RateDecision(False, max(1, math.ceil(float(wait))))
