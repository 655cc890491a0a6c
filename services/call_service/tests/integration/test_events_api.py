"""POST /api/events against real PostgreSQL: every status code of the contract's table."""

from typing import Any

from aiohttp.test_utils import TestClient

from .conftest import NO_SCOPE_KEY, READER, event, initiated, post

Client = TestClient[Any, Any]


async def test_a_whole_call_moves_through_every_status_with_contiguous_seq(
    client: Client, call_id: str
) -> None:
    steps = [
        (initiated(call_id), "waiting"),
        (event("call_routed", call_id, agent_id="a1", routing_time=2), "routed"),
        (event("call_answered", call_id, wait_time=40), "active"),
        (event("call_hold", call_id, hold_duration=75), "on_hold"),
        (event("call_resumed", call_id), "active"),
        (event("call_transferred", call_id, to_queue_id="legal_english"), "waiting"),
        (event("call_ended", call_id, end_reason="completed", duration=5), "ended"),
    ]
    for seq, (body, status) in enumerate(steps, start=1):
        response = await post(client, body)
        assert response.status == 201, await response.text()
        accepted = await response.json()
        assert (accepted["event"]["seq"], accepted["call"]["status"]) == (seq, status)
    call = accepted["call"]
    assert call["queue_id"] == "legal_english"
    assert call["flags"] == ["long_wait", "hold_exceeded", "short_call_review"]
    log = await client.get(f"/api/calls/{call_id}/events", headers={"X-API-Key": READER})
    assert [e["seq"] for e in (await log.json())["data"]] == list(range(1, 8))


async def test_replaying_an_event_id_with_the_same_content_returns_the_original(
    client: Client, call_id: str
) -> None:
    body = {**initiated(call_id), "event_id": f"{call_id}-1"}
    first = await post(client, body)
    again = await post(client, body)
    assert (first.status, again.status) == (201, 200)
    assert await again.json() == await first.json()
    log = await client.get(f"/api/calls/{call_id}/events", headers={"X-API-Key": READER})
    assert len((await log.json())["data"]) == 1


async def test_replay_after_later_events_still_returns_the_original_call_state(
    client: Client, call_id: str
) -> None:
    body = {**initiated(call_id), "event_id": f"{call_id}-1"}
    first = await (await post(client, body)).json()
    await post(client, event("call_routed", call_id, agent_id="a1", routing_time=1))
    again = await post(client, body)
    assert again.status == 200
    assert (await again.json())["call"] == first["call"]


async def test_event_id_reused_with_other_content_is_a_conflict(
    client: Client, call_id: str
) -> None:
    await post(client, {**initiated(call_id), "event_id": f"{call_id}-x"})
    other = {
        **event("call_routed", call_id, agent_id="a", routing_time=1),
        "event_id": f"{call_id}-x",
    }
    response = await post(client, other)
    assert response.status == 409
    assert response.content_type == "application/problem+json"


async def test_initiating_an_existing_call_is_a_conflict(client: Client, call_id: str) -> None:
    assert (await post(client, initiated(call_id))).status == 201
    response = await post(client, initiated(call_id))
    assert response.status == 409
    assert "already exists" in (await response.json())["detail"]


async def test_a_transition_outside_the_table_is_a_conflict_and_changes_nothing(
    client: Client, call_id: str
) -> None:
    await post(client, initiated(call_id))
    response = await post(client, event("call_hold", call_id))
    assert response.status == 409
    call = await (await client.get(f"/api/calls/{call_id}", headers={"X-API-Key": READER})).json()
    assert (call["status"], call["last_seq"]) == ("waiting", 1)


async def test_an_event_for_an_unknown_call_is_not_found(client: Client, call_id: str) -> None:
    response = await post(client, event("call_resumed", call_id))
    assert response.status == 404
    assert (await response.json())["status"] == 404


async def test_an_unknown_queue_is_422_at_data_queue_id(client: Client, call_id: str) -> None:
    response = await post(client, initiated(call_id, queue_id="no_such_queue"))
    assert response.status == 422
    assert (await response.json())["errors"][0]["loc"] == ["data", "queue_id"]


async def test_a_transfer_to_an_unknown_queue_is_422_and_changes_nothing(
    client: Client, call_id: str
) -> None:
    await post(client, initiated(call_id))
    await post(client, event("call_routed", call_id, agent_id="a", routing_time=1))
    await post(client, event("call_answered", call_id, wait_time=1))
    response = await post(client, event("call_transferred", call_id, to_queue_id="nope"))
    assert response.status == 422
    assert (await response.json())["errors"][0]["loc"] == ["data", "to_queue_id"]
    call = await (await client.get(f"/api/calls/{call_id}", headers={"X-API-Key": READER})).json()
    assert (call["status"], call["last_seq"]) == ("active", 3)


async def test_validation_errors_name_each_field(client: Client, call_id: str) -> None:
    body = {"type": "call_routed", "call_id": "bad id!", "data": {"routing_time": -1}}
    response = await post(client, body)
    assert response.status == 422
    locs = sorted(tuple(e["loc"]) for e in (await response.json())["errors"])
    assert locs == [("call_id",), ("data", "agent_id"), ("data", "routing_time")]


async def test_a_producer_may_not_post_a_system_event(client: Client, call_id: str) -> None:
    response = await post(client, {"type": "sla_breached", "call_id": call_id, "data": {}})
    assert response.status == 422
    assert (await response.json())["errors"] == [
        {"loc": ["type"], "msg": "sla_breached is written by the service itself"}
    ]


async def test_transfer_needs_exactly_one_target(client: Client, call_id: str) -> None:
    both = event("call_transferred", call_id, to_agent_id="a", to_queue_id="legal_english")
    assert (await post(client, both)).status == 422
    assert (await post(client, event("call_transferred", call_id))).status == 422


async def test_nan_and_malformed_json_are_422_not_500(client: Client, call_id: str) -> None:
    raw = f'{{"type":"call_answered","call_id":"{call_id}","data":{{"wait_time":NaN}}}}'
    headers = {"X-API-Key": "producer-key", "Content-Type": "application/json"}
    assert (await client.post("/api/events", data=raw, headers=headers)).status == 422
    assert (await client.post("/api/events", data="{", headers=headers)).status == 422
    assert (await client.post("/api/events", data="[]", headers=headers)).status == 422


async def test_missing_or_unknown_key_is_401_and_wrong_scope_is_403(
    client: Client, call_id: str
) -> None:
    assert (await client.post("/api/events", json=initiated(call_id))).status == 401
    assert (await post(client, initiated(call_id), key="nope")).status == 401
    assert (await post(client, initiated(call_id), key=READER)).status == 403
    assert (await post(client, initiated(call_id), key=NO_SCOPE_KEY)).status == 403


async def test_admin_scope_may_post_events(client: Client, call_id: str) -> None:
    assert (await post(client, initiated(call_id), key="admin-key")).status == 201


async def test_a_body_over_64_kib_is_413(client: Client, call_id: str) -> None:
    body = {**initiated(call_id), "event_id": "x" * (65 * 1024)}
    response = await post(client, body)
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_a_body_that_is_not_json_is_415(client: Client, call_id: str) -> None:
    response = await client.post(
        "/api/events", data="type=call_initiated", headers={"X-API-Key": "producer-key"}
    )
    assert response.status == 415


async def test_an_explicit_timestamp_is_kept_as_the_event_time(
    client: Client, call_id: str
) -> None:
    body = {**initiated(call_id), "timestamp": "2026-01-02T03:04:05+02:00"}
    accepted = await (await post(client, body)).json()
    assert accepted["event"]["timestamp"] == "2026-01-02T01:04:05Z"
    assert accepted["call"]["start_time"] == "2026-01-02T01:04:05Z"
    assert accepted["event"]["received_at"] != accepted["event"]["timestamp"]


async def test_a_timestamp_without_timezone_is_refused(client: Client, call_id: str) -> None:
    response = await post(client, {**initiated(call_id), "timestamp": "2026-01-02T03:04:05"})
    assert response.status == 422


async def test_the_correlation_id_is_echoed(client: Client, call_id: str) -> None:
    response = await post(client, initiated(call_id), headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"


async def test_unknown_route_is_a_problem_404(client: Client) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_deeply_nested_json_is_422_and_infinity_too(client: Client, call_id: str) -> None:
    """Strict JSON: nesting is bounded by the parser (no recursion error, no 500) and the
    non-standard Infinity is refused like NaN, on the single and the batch endpoint."""
    headers = {"X-API-Key": "producer-key", "Content-Type": "application/json"}
    deep = "[" * 5000 + "]" * 5000
    nested = f'{{"type":"call_answered","call_id":"{call_id}","data":{deep}}}'
    assert (await client.post("/api/events", data=nested, headers=headers)).status == 422
    inf = f'{{"type":"call_answered","call_id":"{call_id}","data":{{"wait_time":Infinity}}}}'
    assert (await client.post("/api/events", data=inf, headers=headers)).status == 422
    batch = await client.post("/api/events/batch", data=f'{{"events":[{deep}]}}', headers=headers)
    assert batch.status == 422
    batch = await client.post("/api/events/batch", data=f'{{"events":[{inf}]}}', headers=headers)
    assert [r["status"] for r in (await batch.json())["results"]] == [422]
