"""Use case: accept a batch of producer events, each with the single event's guarantees.

First the batch's new calls: every `call_initiated` that opens a call of the batch,
whose first event writes nothing but its own record, goes into ONE statement with
the others (each call all-or-nothing: a call whose id or event_id is taken is not
written and falls through). Then every other event is its own transaction (atomic
on its own: one refused event does not undo the others) through `ingest_event`, so
rules, idempotency and `seq` are exactly those of POST /api/events. Events of one
call are applied in the order they appear in the batch (a call's opening event is
always its first); different calls proceed concurrently, bounded so one batch
cannot take every database connection.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from call_service.domain.errors import DomainError
from call_service.service.ingest_event import (
    IngestOptions,
    IngestResult,
    plan_new_call,
    prepare,
)
from call_service.service.ports import Clock, RecordedEvent, UnitOfWorkFactory
from contracts.enums import EventType
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


async def ingest_new_calls(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    events: Sequence[EventRequest | None],
    options: IngestOptions,
) -> dict[int, IngestResult]:
    """Create the batch's new calls in one statement; the results of those created, by index.

    Events not in the result (not a new call's opening, an unknown queue, a taken id,
    a rule with more to write) are for `ingest_event`, which answers them as usual.
    """
    seen: set[str] = set()
    candidates: list[tuple[int, IngestResult, RecordedEvent]] = []
    async with uow_factory() as uow:
        for index, event in enumerate(events):
            if event is None or event.call_id in seen:
                continue
            seen.add(event.call_id)
            if event.type is not EventType.CALL_INITIATED:
                continue
            try:
                after, plan = await plan_new_call(uow, prepare(clock, event, options))
            except DomainError:
                continue
            if plan.one_statement:
                recorded = replace(plan.recorded, call=after)
                candidates.append((index, IngestResult(created=True, body=plan.body), recorded))
        if not candidates:
            return {}
        created = await uow.events.record_new_calls([c[2] for c in candidates])
    return {
        index: result for index, result, recorded in candidates if recorded.event.call_id in created
    }
