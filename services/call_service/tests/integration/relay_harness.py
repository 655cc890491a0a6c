"""Run relays in-process and collect what a Redis subscriber receives."""

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as redis

from call_service.relay.worker import run_relay
from call_service.service.publish_outbox import DrainPolicy
from call_service.settings import Settings


class Subscriber:
    """Collects call_event seqs per call from the relay's channel."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self._client = redis.from_url(redis_url)
        self._channel = channel
        self.seqs: dict[str, list[int]] = defaultdict(list)
        self.count = 0
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self._channel)
        self._task = asyncio.create_task(self._read(pubsub))

    async def _read(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            event = json.loads(message["data"])["message"]["event"]
            self.seqs[event["call_id"]].append(event["seq"])
            self.count += 1
            self._changed.set()

    async def wait_for(self, total: int, deadline_s: float = 20.0) -> None:
        async with asyncio.timeout(deadline_s):
            while self.count < total:
                self._changed.clear()
                await self._changed.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()


@contextlib.asynccontextmanager
async def relays(settings: Settings, count: int, policy: DrainPolicy) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_relay(settings, stop, policy)) for _ in range(count)]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
