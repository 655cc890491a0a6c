"""Supervisor alerts and agents' numbers through the API, written by real events."""

from typing import Any

from aiohttp.test_utils import TestClient

from .conftest import NO_SCOPE_KEY, READER, event, initiated, post

Client = TestClient[Any, Any]
H = {"X-API-Key": READER}


async def _long_wait_call(client: Client, call_id: str, agent: str) -> None:
    await post(client, initiated(call_id))
    await post(client, event("call_routed", call_id, agent_id=agent, routing_time=1))
    await post(client, event("call_answered", call_id, wait_time=50))


async def test_a_rule_that_fires_shows_up_as_an_alert_and_can_be_acknowledged(
    client: Client, call_id: str
) -> None:
    await _long_wait_call(client, call_id, f"{call_id}-agent")
    listed = await (await client.get(f"/api/alerts?call_id={call_id}", headers=H)).json()
    assert [(a["kind"], a["agent_id"]) for a in listed["data"]] == [
        ("long_wait", f"{call_id}-agent")
    ]
    alert = listed["data"][0]
    assert alert["acknowledged_at"] is None
    ack = await client.post(f"/api/alerts/{alert['id']}/ack", headers={"X-API-Key": NO_SCOPE_KEY})
    assert ack.status == 200
    acked = await ack.json()
    assert acked["acknowledged_by"] is not None
    assert acked["acknowledged_by"] != NO_SCOPE_KEY
    again = await (
        await client.post(f"/api/alerts/{alert['id']}/ack", headers={"X-API-Key": "admin-key"})
    ).json()
    assert again["acknowledged_at"] == acked["acknowledged_at"]
    open_only = await client.get(f"/api/alerts?call_id={call_id}&acknowledged=false", headers=H)
    assert (await open_only.json())["data"] == []


async def test_acknowledging_needs_the_alerts_ack_scope(client: Client, call_id: str) -> None:
    await _long_wait_call(client, call_id, "a1")
    alert = (await (await client.get(f"/api/alerts?call_id={call_id}", headers=H)).json())["data"][
        0
    ]
    assert (await client.post(f"/api/alerts/{alert['id']}/ack", headers=H)).status == 403
    missing = "00000000-0000-0000-0000-000000000000"
    assert (
        await client.post(f"/api/alerts/{missing}/ack", headers={"X-API-Key": NO_SCOPE_KEY})
    ).status == 404
    assert (
        await client.post("/api/alerts/nope/ack", headers={"X-API-Key": NO_SCOPE_KEY})
    ).status == 404


async def test_alert_filters_and_pages(client: Client, call_id: str) -> None:
    for i in range(3):
        await _long_wait_call(client, f"{call_id}-{i}", "a1")
    seen: list[str] = []
    cursor = ""
    for _ in range(500):
        page = await (
            await client.get(f"/api/alerts?kind=long_wait&limit=2{cursor}", headers=H)
        ).json()
        seen += [a["call_id"] for a in page["data"] if a["call_id"].startswith(call_id)]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(seen) == [f"{call_id}-{i}" for i in range(3)]
    for bad in ["kind=nope", "since=yesterday", "limit=0", "acknowledged=maybe"]:
        assert (await client.get(f"/api/alerts?{bad}", headers=H)).status == 422, bad


async def test_agent_numbers_follow_the_calls_they_took(client: Client, call_id: str) -> None:
    agent = f"{call_id}-agent"
    await post(client, initiated(call_id))
    await post(
        client,
        {
            **event("call_routed", call_id, agent_id=agent, routing_time=1),
            "timestamp": "2026-01-01T10:00:00Z",
        },
    )
    await post(
        client,
        {**event("call_answered", call_id, wait_time=20), "timestamp": "2026-01-01T10:00:10Z"},
    )
    live = await (await client.get(f"/api/agents/{agent}", headers=H)).json()
    assert (live["status"], live["current_call_id"]) == ("on_call", call_id)
    await post(client, {**event("call_hold", call_id), "timestamp": "2026-01-01T10:01:00Z"})
    await post(client, {**event("call_resumed", call_id), "timestamp": "2026-01-01T10:01:30Z"})
    await post(
        client,
        {
            **event("call_ended", call_id, end_reason="completed", duration=170),
            "timestamp": "2026-01-01T10:03:00Z",
        },
    )
    numbers = await (await client.get(f"/api/agents/{agent}", headers=H)).json()
    assert numbers == {
        **numbers,
        "status": "idle",
        "current_call_id": None,
        "offers": 1,
        "answered": 1,
        "missed": 0,
        "answer_rate": 1.0,
        "average_wait_s": 20.0,
        "handled": 1,
        "average_handle_s": 170.0,
        "hold_total_s": 30.0,
        "short_calls": 0,
    }
    listed = await (await client.get("/api/agents", headers=H)).json()
    assert agent in [a["id"] for a in listed["data"]]
    assert (await client.get("/api/agents/nobody-here", headers=H)).status == 404
