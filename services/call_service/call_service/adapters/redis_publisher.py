"""Publish relay batches to Redis pub/sub: one pipelined round trip, tenacity retries.

Three attempts with exponential backoff and jitter absorb a blip (a failover,
a dropped connection). After that the batch is reported failed and its rows
stay in the outbox: nothing is dropped here.
"""

from typing import Any

import redis.asyncio as redis
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

ATTEMPTS = 3
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError, OSError)


class PublishFailed(Exception):
    """Every attempt failed; the message says why (no secrets: no URL, no payload)."""


class RedisPublisher:
    def __init__(self, client: Any, channel: str) -> None:
        self._client = client
        self._channel = channel

    async def publish_batch(self, messages: list[str]) -> list[int]:
        """Publish in order; return each message's receiver count."""
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(ATTEMPTS),
                wait=wait_exponential_jitter(multiplier=0.05, max=1.0, jitter=0.1),
                retry=retry_if_exception_type(_TRANSIENT),
            ):
                with attempt:
                    return await self._publish(messages)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise PublishFailed(f"{type(cause).__name__}: {cause}") from cause
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _publish(self, messages: list[str]) -> list[int]:
        async with self._client.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(self._channel, message)
            return [int(n) for n in await pipe.execute()]
