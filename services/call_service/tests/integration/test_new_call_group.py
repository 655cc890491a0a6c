"""Group commit of new calls: concurrent requests share statements and answer as if alone."""

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client import REGISTRY

from .conftest import initiated, post

Client = TestClient[Any, Any]


def _counter(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_concurrent_new_calls_share_statements_and_are_all_created(
    client: Client, call_id: str
) -> None:
    statements = _counter("new_call_group_statements_total")
    grouped = _counter("new_call_group_calls_total")
    responses = await asyncio.gather(
        *(post(client, initiated(f"{call_id}-{n}")) for n in range(60))
    )
    assert [r.status for r in responses] == [201] * 60
    bodies = [await r.json() for r in responses]
    assert {b["event"]["call_id"] for b in bodies} == {f"{call_id}-{n}" for n in range(60)}
    assert all(b["event"]["seq"] == 1 for b in bodies)
    written = _counter("new_call_group_calls_total") - grouped
    used = _counter("new_call_group_statements_total") - statements
    assert written == 60
    assert used < 60  # at most 4 statements in flight: later requests were grouped


async def test_a_shared_event_id_in_one_group_still_answers_each_request_alone(
    client: Client, call_id: str
) -> None:
    same = f"{call_id}-shared"
    bodies = [
        {**initiated(f"{call_id}-a"), "event_id": same},
        {**initiated(f"{call_id}-b"), "event_id": same},
        {**initiated(f"{call_id}-a"), "event_id": same},  # the first one's replay
        *[initiated(f"{call_id}-filler-{n}") for n in range(20)],
    ]
    responses = await asyncio.gather(*(post(client, b) for b in bodies))
    statuses = [r.status for r in responses]
    assert statuses[3:] == [201] * 20
    a, b, twin = statuses[:3]
    # Either call a won the event_id (one of its two identical requests created it, the
    # other is its replay, and b conflicts) or b won (and both of a's conflict).
    assert (sorted([a, twin]) == [200, 201] and b == 409) or (b == 201 and a == twin == 409)


async def test_an_existing_call_is_a_conflict_through_the_group(
    client: Client, call_id: str
) -> None:
    assert (await post(client, initiated(call_id))).status == 201
    responses = await asyncio.gather(
        post(client, initiated(call_id)), post(client, initiated(f"{call_id}-new"))
    )
    assert [r.status for r in responses] == [409, 201]
