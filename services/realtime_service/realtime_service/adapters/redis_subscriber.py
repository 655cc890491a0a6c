"""Redis pub/sub → the relay delivery: the loop that reads the relay's channel.

Every realtime process subscribes to the relay's channel itself and emits only
to its own sockets. A Socket.io Redis manager is deliberately not used: with one
each event would be delivered once per process. The loop never dies: a bad
message is logged and skipped (`service.relay_delivery`), a lost connection is
retried with backoff.
"""

import asyncio
import random

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.service.relay_delivery import RelayDelivery

_log = structlog.get_logger(__name__)
POLL_SECONDS = 1.0
"""How long one read waits; between reads the client sends its health-check PING."""


class RelaySubscriber:
    def __init__(
        self,
        redis: Redis,
        channel: str,
        delivery: RelayDelivery,
        metrics: RealtimeMetrics,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
    ) -> None:
        self._redis = redis
        self._channel = channel
        self._delivery = delivery
        self._metrics = metrics
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._connected = False

    @property
    def connected(self) -> bool:
        """True while subscribed to the channel; `/ready` reports it."""
        return self._connected

    async def run(self) -> None:
        """Subscribe and relay until cancelled, re-subscribing with backoff forever."""
        delay = self._backoff_initial
        try:
            while True:
                try:
                    await self._listen()
                except (RedisError, OSError) as exc:
                    delay, pause = self._next_pause(delay)
                    _log.warning(
                        "redis_subscription_failed",
                        error_type=type(exc).__name__,
                        error=str(exc),
                        retry_in_s=pause,
                    )
                except Exception:  # noqa: BLE001 - the loop must outlive a bug; logged in full
                    delay, pause = self._next_pause(delay)
                    _log.exception("relay_subscriber_failed", retry_in_s=pause)
                else:
                    delay, pause = self._next_pause(delay)
                await asyncio.sleep(pause)
                delay = min(delay * 2, self._backoff_max)
                self._metrics.redis_reconnects.inc()
        finally:
            self._set_connected(False)

    def _next_pause(self, delay: float) -> tuple[float, float]:
        """The backoff step after a failure (reset if we were subscribed) and a jittered pause."""
        if self._connected:
            self._set_connected(False)
            delay = self._backoff_initial
        return delay, round(delay * random.uniform(0.5, 1.0), 3)  # noqa: S311 - jitter only

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "message":
                    await self._delivery.deliver(message["data"])
                elif message["type"] == "subscribe":
                    # Ready only once Redis confirms: a publish from now on reaches us.
                    self._set_connected(True)
                    _log.info("redis_subscribed", channel=self._channel)

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        self._metrics.redis_subscribed.set(1 if connected else 0)
