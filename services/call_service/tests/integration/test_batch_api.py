"""POST /api/events/batch: per-event results, per-call order, per-event atomicity."""

from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from .conftest import PRODUCER, READER, event, initiated, post

Client = TestClient[Any, Any]


async def _batch(client: Client, events: list[Any], **headers: str) -> Any:
    return await client.post(
        "/api/events/batch", json={"events": events}, headers={"X-API-Key": PRODUCER, **headers}
    )


def _life(call_id: str) -> list[dict[str, Any]]:
    return [
        initiated(call_id),
        event("call_routed", call_id, agent_id="a1", routing_time=1),
        event("call_answered", call_id, wait_time=2),
        event("call_ended", call_id, end_reason="completed", duration=60),
    ]


async def test_two_interleaved_calls_apply_in_batch_order_per_call(
    client: Client, call_id: str
) -> None:
    a, b = _life(f"{call_id}-a"), _life(f"{call_id}-b")
    interleaved = [x for pair in zip(a, b, strict=True) for x in pair]
    response = await _batch(client, interleaved)
    assert response.status == 200
    results = (await response.json())["results"]
    assert [r["status"] for r in results] == [201] * 8
    seqs = [(r["body"]["event"]["call_id"], r["body"]["event"]["seq"]) for r in results]
    assert seqs == [(f"{call_id}-{x}", n) for n in range(1, 5) for x in "ab"]


async def test_each_event_gets_the_answer_the_single_endpoint_would_give(
    client: Client, call_id: str
) -> None:
    events = [
        initiated(call_id),
        {"type": "call_routed", "call_id": call_id, "data": {"routing_time": 1}},
        event("call_hold", call_id),
        event("call_resumed", f"{call_id}-missing"),
        event("call_routed", call_id, agent_id="a1", routing_time=1),
    ]
    results = (await (await _batch(client, events)).json())["results"]
    assert [r["status"] for r in results] == [201, 422, 409, 404, 201]
    assert results[1]["body"]["errors"] == [{"loc": ["data", "agent_id"], "msg": "Field required"}]
    assert "errors" not in results[2]["body"]
    log = await client.get(f"/api/calls/{call_id}/events", headers={"X-API-Key": READER})
    assert [e["seq"] for e in (await log.json())["data"]] == [1, 2]


async def test_a_replayed_batch_answers_200_per_event_and_writes_nothing(
    client: Client, call_id: str
) -> None:
    events = [{**e, "event_id": f"{call_id}-{i}"} for i, e in enumerate(_life(call_id))]
    first = (await (await _batch(client, events)).json())["results"]
    again = (await (await _batch(client, events)).json())["results"]
    assert [r["status"] for r in again] == [200] * 4
    assert [r["body"] for r in again] == [r["body"] for r in first]


async def test_a_malformed_batch_is_one_problem(client: Client, call_id: str) -> None:
    too_many = [initiated(f"{call_id}-{i}") for i in range(501)]
    assert (await _batch(client, too_many)).status == 422
    assert (await _batch(client, [])).status == 422
    bad = await client.post(
        "/api/events/batch",
        data="[1,2]",
        headers={"X-API-Key": PRODUCER, "Content-Type": "application/json"},
    )
    assert bad.status == 422
    text = await client.post("/api/events/batch", data="x", headers={"X-API-Key": PRODUCER})
    assert text.status == 415
    assert (
        await client.post("/api/events/batch", json={"events": [initiated(call_id)]})
    ).status == 401


async def test_five_hundred_events_fit_in_one_batch(client: Client, call_id: str) -> None:
    events = [initiated(f"{call_id}-{i}") for i in range(500)]
    results = (await (await _batch(client, events)).json())["results"]
    assert [r["status"] for r in results] == [201] * 500


async def test_new_calls_of_a_batch_are_written_whole_with_their_outbox_rows_and_timers(
    client: Client, call_id: str, database_url: str
) -> None:
    events = [{**initiated(f"{call_id}-{i}"), "event_id": f"{call_id}-e{i}"} for i in range(3)]
    results = (await (await _batch(client, events)).json())["results"]
    assert [r["status"] for r in results] == [201] * 3
    single = await post(client, initiated(f"{call_id}-single"))
    assert results[0]["body"].keys() == (await single.json()).keys()
    conn = await asyncpg.connect(database_url)
    try:
        for i in range(3):
            key = f"{call_id}-{i}"
            assert await conn.fetchval("SELECT last_seq FROM calls WHERE id=$1", key) == 1
            assert (
                await conn.fetchval("SELECT event_id FROM call_events WHERE call_id=$1", key)
                == f"{call_id}-e{i}"
            )
            assert (
                await conn.fetchval("SELECT count(*) FROM outbox WHERE ordering_key=$1", key) == 1
            )
            timers = await conn.fetch("SELECT kind FROM call_timers WHERE call_id=$1", key)
            expected = await conn.fetch(
                "SELECT kind FROM call_timers WHERE call_id=$1", f"{call_id}-single"
            )
            assert sorted(t["kind"] for t in timers) == sorted(t["kind"] for t in expected)
    finally:
        await conn.close()


async def test_new_calls_that_clash_answer_as_the_single_endpoint_would(
    client: Client, call_id: str
) -> None:
    assert (
        await post(client, {**initiated(f"{call_id}-old"), "event_id": f"{call_id}-x"})
    ).status == 201
    events = [
        initiated(f"{call_id}-new"),
        initiated(f"{call_id}-old"),  # the call exists: 409
        {**initiated(f"{call_id}-other"), "event_id": f"{call_id}-x"},  # event_id taken: 409
        {**initiated(f"{call_id}-old"), "event_id": f"{call_id}-x"},  # a replay: 200
        initiated(f"{call_id}-nowhere", queue_id="no_such_queue"),  # 422
        {**initiated(f"{call_id}-twin-1"), "event_id": f"{call_id}-twin"},
        {**initiated(f"{call_id}-twin-2"), "event_id": f"{call_id}-twin"},  # same id, other call
    ]
    results = (await (await _batch(client, events)).json())["results"]
    statuses = [r["status"] for r in results]
    assert statuses[:5] == [201, 409, 409, 200, 422]
    assert sorted(statuses[5:]) == [201, 409]  # two calls race for one event_id: one wins
    assert results[4]["body"]["errors"][0]["loc"] == ["data", "queue_id"]
    missing = await client.get(f"/api/calls/{call_id}-other", headers={"X-API-Key": READER})
    assert missing.status == 404
