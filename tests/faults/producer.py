"""A steady producer for the fault tests: events for several calls at a steady rate, each
call in order, retried like a real producer retries (same `event_id`) while a fault lasts."""

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from devstack.stack_for_tests import PRODUCER

PROBLEM_JSON = "application/problem+json"


def call_event(call_id: str, index: int, queue_id: str = "medical_spanish") -> dict[str, Any]:
    """The `index`-th event of a call that can go on for ever: initiated, routed, answered,
    then hold / resumed in turn. `event_id` makes a retried post idempotent."""
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("call_initiated", {"media": "voice", "queue_id": queue_id}),
        ("call_routed", {"agent_id": f"agent-{call_id}", "routing_time": 1.0}),
        ("call_answered", {"wait_time": 3}),
    ]
    kind, data = (
        kinds[index] if index < 3 else (("call_hold", {}), ("call_resumed", {}))[(index - 3) % 2]
    )
    return {"event_id": f"{call_id}-{index + 1}", "type": kind, "call_id": call_id, "data": data}


@dataclass
class Producer:
    """Posts events for several calls at a steady rate, each call in order.

    Like a real producer it retries a post answered 503 (or not answered at all) with the
    same `event_id` until it is accepted, so `accepted[call]` is exactly the number of
    events the call must end up with.
    """

    api_url: str
    call_ids: Sequence[str]
    interval_s: float = 0.1
    """Pause between two events of one call: the total rate is len(call_ids) / interval_s."""
    queue_id: str = "medical_spanish"
    retry_deadline_s: float = 30.0
    retry: frozenset[int] | set[int] = frozenset({0, 503})
    """Answers retried with the same event_id (0: no answer)."""
    statuses: list[int] = field(default_factory=list)
    """Every answer, in order, including the 503s that were retried (0: no answer)."""
    problems: list[tuple[int, str, Any]] = field(default_factory=list)
    """(status, content type, body) of every answer other than 200/201."""
    accepted: dict[str, int] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self, session: aiohttp.ClientSession) -> None:
        for call_id in self.call_ids:
            self.accepted[call_id] = 0
            self._tasks.append(asyncio.create_task(self._post_call(session, call_id)))

    async def stop(self) -> None:
        """Stop after each call's post in flight is accepted; re-raise what a task raised."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    @property
    def total(self) -> int:
        return sum(self.accepted.values())

    async def _post_call(self, session: aiohttp.ClientSession, call_id: str) -> None:
        index = 0
        while not self._stop.is_set():
            body = call_event(call_id, index, self.queue_id)
            await self._post_until_accepted(session, body)
            index += 1
            self.accepted[call_id] = index
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_s)

    async def _post_until_accepted(
        self, session: aiohttp.ClientSession, body: dict[str, Any]
    ) -> None:
        give_up = time.monotonic() + self.retry_deadline_s
        while True:
            status = await self._post(session, body)
            if status in (200, 201):
                return
            if status not in self.retry or time.monotonic() > give_up:
                raise AssertionError(f"{body['event_id']}: answered {status}: {self.problems[-1:]}")
            await asyncio.sleep(0.05)  # a producer's retry pause

    async def _post(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> int:
        try:
            async with session.post(
                f"{self.api_url}/api/events",
                json=body,
                headers={"X-API-Key": PRODUCER},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                status = response.status
                if status not in (200, 201):
                    text = await response.text()
                    self.problems.append((status, response.content_type, text))
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = 0
            self.problems.append((0, type(exc).__name__, str(exc)))
        self.statuses.append(status)
        return status
