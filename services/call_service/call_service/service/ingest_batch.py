"""Use case: accept a batch of producer events, each with the single event's guarantees.

Every event is its own transaction (atomic on its own: one refused event does
not undo the others) and goes through `ingest_event`, so rules, idempotency
and `seq` are exactly those of POST /api/events. Events of one call are applied
in the order they appear in the batch; different calls proceed concurrently,
bounded so one batch cannot take every database connection.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from contracts.events import EventRequest

R = TypeVar("R")
MAX_CONCURRENT_CALLS = 8


async def for_each_in_call_order(
    events: Sequence[EventRequest | None],
    apply: Callable[[EventRequest], Awaitable[R]],
    skipped: R,
) -> list[R]:
    """Apply `apply` to every event, one call's events in order; `None` slots give `skipped`.

    Results come back in the batch's order whatever order the calls finished in.
    """
    results: list[R] = [skipped] * len(events)
    by_call: dict[str, list[int]] = {}
    for index, event in enumerate(events):
        if event is not None:
            by_call.setdefault(event.call_id, []).append(index)
    gate = asyncio.Semaphore(MAX_CONCURRENT_CALLS)

    async def one_call(indexes: list[int]) -> None:
        async with gate:
            for index in indexes:
                event = events[index]
                assert event is not None
                results[index] = await apply(event)

    await asyncio.gather(*(one_call(indexes) for indexes in by_call.values()))
    return results
