"""GET endpoints: filters, keyset pagination, audit log, outbox status, OpenAPI."""

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app

from .conftest import READER, event, initiated, make_settings, post

Client = TestClient[Any, Any]
H = {"X-API-Key": READER}


@pytest.fixture
async def client(fresh_database_url: str, redis_url: str, aiohttp_client: Any) -> Client:
    """A database of its own: list assertions must not depend on other tests' calls."""
    return await aiohttp_client(create_app(make_settings(fresh_database_url, redis_url)))


async def _seed(client: Client, prefix: str) -> None:
    """Five calls in one fresh queue-less namespace: start times 1..5 minutes."""
    for i in range(1, 6):
        call_id = f"{prefix}-{i}"
        body = {**initiated(call_id), "timestamp": f"2020-01-01T00:0{i}:00Z"}
        if i % 2 == 0:
            body = {**initiated(call_id, "legal_english"), "timestamp": body["timestamp"]}
        assert (await post(client, body)).status == 201
    await post(
        client, event("call_routed", f"{prefix}-5", agent_id=f"{prefix}-agent", routing_time=1)
    )
    await post(client, event("call_ended", f"{prefix}-1", end_reason="abandoned", duration=3))


async def _ids(client: Client, query: str) -> list[str]:
    response = await client.get(f"/api/calls?{query}", headers=H)
    assert response.status == 200, await response.text()
    return [c["id"] for c in (await response.json())["data"]]


async def test_filters_by_agent_flag_status_and_queue(client: Client, call_id: str) -> None:
    await _seed(client, call_id)
    assert await _ids(client, f"agent_id={call_id}-agent") == [f"{call_id}-5"]
    flagged = await _ids(client, "flag=short_call_review&limit=200")
    assert f"{call_id}-1" in flagged
    assert f"{call_id}-2" not in flagged
    live = await _ids(client, "status=live&limit=200")
    assert f"{call_id}-1" not in live
    assert f"{call_id}-3" in live
    ended = await _ids(client, "status=ended,routed&limit=200")
    assert {f"{call_id}-1", f"{call_id}-5"} <= set(ended)
    assert f"{call_id}-3" not in ended
    queue = await _ids(client, "queue_id=legal_english&limit=200")
    assert f"{call_id}-2" in queue
    assert f"{call_id}-3" not in queue


async def test_keyset_pages_walk_newest_first_without_gaps_or_repeats(
    client: Client, call_id: str
) -> None:
    await _seed(client, call_id)
    seen: list[str] = []
    cursor = ""
    all_ids: list[str] = []
    for _ in range(1000):
        page = await (await client.get(f"/api/calls?limit=3{cursor}", headers=H)).json()
        all_ids += [c["id"] for c in page["data"]]
        seen += [c["id"] for c in page["data"] if c["id"].startswith(call_id)]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [f"{call_id}-{i}" for i in (5, 4, 3, 2, 1)]
    assert len(all_ids) == len(set(all_ids))


async def test_bad_filter_values_are_422(client: Client) -> None:
    for query in ["status=nope", "limit=0", "limit=201", "flag=vip", "cursor=%%%", "bogus=1"]:
        response = await client.get(f"/api/calls?{query}", headers=H)
        assert response.status == 422, query
        assert response.content_type == "application/problem+json"


async def test_an_unknown_call_and_its_events_are_404(client: Client) -> None:
    assert (await client.get("/api/calls/missing-call", headers=H)).status == 404
    assert (await client.get("/api/calls/missing-call/events", headers=H)).status == 404


async def test_reads_need_the_calls_read_scope(client: Client) -> None:
    assert (await client.get("/api/calls")).status == 401
    denied = await client.get("/api/calls", headers={"X-API-Key": "producer-key"})
    assert denied.status == 403


async def test_outbox_status_counts_pending_rows(client: Client, call_id: str) -> None:
    before = await (await client.get("/api/ops/outbox", headers=H)).json()
    await post(client, initiated(call_id))
    after = await (await client.get("/api/ops/outbox", headers=H)).json()
    assert after["pending"] == before["pending"] + 1
    assert after["oldest_pending_age_s"] >= 0
    assert set(after) == {"pending", "oldest_pending_age_s", "published_last_minute", "failing"}


async def test_metrics_expose_request_counts_and_outbox_gauges(
    client: Client, call_id: str
) -> None:
    await post(client, initiated(call_id))
    text = await (await client.get("/metrics")).text()
    assert 'http_requests_total{method="POST",route="/api/events",status="201"}' in text
    assert "outbox_pending " in text
    assert "outbox_oldest_pending_age_seconds " in text


async def test_openapi_is_3_1_and_describes_every_endpoint(client: Client) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    assert doc["openapi"] == "3.1.0"
    assert {
        "/api/events",
        "/api/calls",
        "/api/calls/{call_id}",
        "/api/calls/{call_id}/events",
        "/api/ops/outbox",
    } <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert {"Call", "CallEvent", "EventRequest", "Problem", "OutboxStatus"} <= set(schemas)
    assert "409" in doc["paths"]["/api/events"]["post"]["responses"]


async def test_the_dashboard_origin_gets_cors_and_others_do_not(client: Client) -> None:
    preflight = await client.options(
        "/api/calls",
        headers={"Origin": "http://127.0.0.1:3000", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    foreign = await client.get("/api/calls", headers={**H, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert foreign.headers["X-Content-Type-Options"] == "nosniff"
