"""Publish relay batches to Redis pub/sub: one pipelined round trip, tenacity retries.

Three attempts with exponential backoff and jitter absorb a blip (a failover,
a dropped connection). After that the batch is reported failed and its rows
stay in the outbox: nothing is dropped here. Any Redis failure counts — a
connection that drops, and an error reply too (an ACL refusal, a read-only
replica, out of memory): each means "not published yet".
"""

from typing import Any, Self

import redis.asyncio as redis
from redis.exceptions import RedisError
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from call_service.service.relay_ports import PublishFailed

ATTEMPTS = 3
PUBLISH_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


class RedisPublisher:
    """The `Publisher` port on one Redis pub/sub channel; PublishFailed after the last attempt."""

    def __init__(self, client: Any, channel: str) -> None:
        self._client = client
        self._channel = channel

    @classmethod
    def from_url(cls, redis_url: str, channel: str) -> Self:
        return cls(redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5), channel)

    async def close(self) -> None:
        await self._client.aclose()

    async def publish_batch(self, messages: list[str]) -> list[int]:
        """Publish in order; return each message's receiver count."""
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(ATTEMPTS),
                wait=wait_exponential_jitter(multiplier=0.05, max=1.0, jitter=0.1),
                retry=retry_if_exception_type(PUBLISH_FAILURES),
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
            # raise_on_error=False: the driver would otherwise quote the failing command,
            # payload included, in the error's message (which goes to logs and the outbox).
            replies = await pipe.execute(raise_on_error=False)
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return [int(n) for n in replies]
