"""GET /api/stats on real PostgreSQL: a generated day of traffic, windows, validation."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app
from call_service.api.app_keys import CLOCK
from call_service.settings import Settings

from .conftest import NO_SCOPE_KEY, READER, make_settings, post
from .generated_day import NOW, QUEUES, FixedClock, expected_stats, generate_traffic, insert_traffic

Client = TestClient[Any, Any]
H = {"X-API-Key": READER}


def with_fixed_clock(app: web.Application) -> web.Application:
    """The generated day is relative to NOW; `window=24h` must mean that day."""
    app[CLOCK] = FixedClock(NOW)
    return app


@pytest.fixture
async def client(settings: Settings, aiohttp_client: Callable[[Any], Awaitable[Client]]) -> Client:
    return await aiohttp_client(with_fixed_clock(create_app(settings)))


async def _stats(client: Client, query: str) -> Any:
    response = await client.get(f"/api/stats?{query}", headers=H)
    assert response.status == 200, await response.text()
    return await response.json()


def _assert_matches(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        if isinstance(value, float):
            assert actual[name] == pytest.approx(value, rel=1e-9), name
        else:
            assert actual[name] == value, name


async def test_kpis_of_a_generated_day_equal_the_values_computed_independently(
    fresh_database_url: str,
    redis_url: str,
    aiohttp_client: Callable[[Any], Awaitable[Client]],
) -> None:
    calls = generate_traffic(seed=20210304, count=4000)
    await insert_traffic(fresh_database_url, calls)
    expected = expected_stats(calls, sorted(QUEUES))
    assert expected[None]["short_abandons"] > 0
    assert expected["kpi-b"]["service_level"] is not None
    app = with_fixed_clock(create_app(make_settings(fresh_database_url, redis_url)))
    client = await aiohttp_client(app)

    body = await _stats(client, "window=24h")

    assert body["window"] == {"from": "2021-03-04T00:00:00Z", "to": "2021-03-05T00:00:00Z"}
    by_queue = {q["queue_id"]: q for q in body["queues"]}
    for queue_id in QUEUES:
        _assert_matches(by_queue[queue_id], expected[queue_id])
    assert {q for q in by_queue if q not in QUEUES} == {
        "legal_english", "legal_spanish", "medical_english", "medical_spanish",
    }  # fmt: skip
    assert body["overall"]["queue_id"] is None
    _assert_matches(body["overall"], expected[None])

    same = await _stats(client, "from=2021-03-04T01:00:00%2B01:00&to=2021-03-05T00:00:00Z")
    assert same["overall"] == body["overall"]
    one = await _stats(client, "window=24h&queue_id=kpi-b")
    assert [q["queue_id"] for q in one["queues"]] == ["kpi-b"]
    assert one["overall"] == {**one["queues"][0], "queue_id": None}


async def test_a_queue_without_calls_has_zero_counts_and_null_ratios(client: Client) -> None:
    body = await _stats(
        client, "queue_id=legal_english&from=1999-01-01T00:00:00Z&to=1999-01-02T00:00:00Z"
    )
    stats = body["queues"][0]
    assert stats["offered"] == 0
    for name in ["service_level", "asa_s", "aht_s", "abandonment_rate", "transfer_rate"]:
        assert stats[name] is None, name


async def test_the_default_window_is_the_last_hour(client: Client) -> None:
    body = await _stats(client, "")
    assert body["window"] == {"from": "2021-03-04T23:00:00Z", "to": "2021-03-05T00:00:00Z"}
    assert body["generated_at"] == "2021-03-05T00:00:00Z"


async def test_an_unencoded_plus_in_an_offset_is_read_as_plus(client: Client) -> None:
    body = await _stats(client, "from=2021-03-04T10:00:00+02:00&to=2021-03-04T12:00:00+02:00")
    assert body["window"] == {"from": "2021-03-04T08:00:00Z", "to": "2021-03-04T10:00:00Z"}


async def test_an_unknown_queue_is_404(client: Client) -> None:
    response = await client.get("/api/stats?queue_id=no-such-queue", headers=H)
    assert response.status == 404


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("window=2h", "window"),
        ("window=1h&from=2021-03-04T00:00:00Z&to=2021-03-04T01:00:00Z", "window"),
        ("from=2021-03-04T00:00:00Z", "to"),
        ("to=2021-03-04T00:00:00Z", "from"),
        ("from=2021-03-04T00:00:00&to=2021-03-04T01:00:00Z", "from"),
        ("from=yesterday&to=2021-03-04T01:00:00Z", "from"),
        ("from=2021-03-04T00:00:00Z&to=1614819600", "to"),
        ("from=2021-03-04T01:00:00Z&to=2021-03-04T01:00:00Z", "to"),
        ("from=2021-01-01T00:00:00Z&to=2021-03-04T00:00:00Z", "to"),
        ("queue_id=bad%20id", "queue_id"),
        ("color=red", "color"),
    ],
)
async def test_bad_query_values_are_422_naming_the_parameter(
    client: Client, query: str, name: str
) -> None:
    response = await client.get(f"/api/stats?{query}", headers=H)
    assert response.status == 422, query
    assert response.content_type == "application/problem+json"
    errors = (await response.json())["errors"]
    assert [e["loc"] for e in errors] == [["query", name]]


async def test_stats_need_the_calls_read_scope(client: Client) -> None:
    assert (await client.get("/api/stats")).status == 401
    assert (await client.get("/api/stats", headers={"X-API-Key": NO_SCOPE_KEY})).status == 403


async def test_kpis_follow_the_events_posted_through_the_api(
    client: Client, database_url: str, call_id: str
) -> None:
    queue_id = f"kpi-{call_id}"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
            " short_call_seconds) VALUES ($1, $1, 30, 15, 60, 10)",
            queue_id,
        )
    finally:
        await conn.close()
    t0 = datetime(2019, 6, 1, 10, tzinfo=UTC)
    answered, short, abandoned = (f"{call_id}-{n}" for n in ("answered", "short", "abandoned"))
    timeline = [
        (0, answered, "call_initiated", {"media": "voice", "queue_id": queue_id}),
        (2, answered, "call_routed", {"agent_id": "kpi-agent", "routing_time": 2}),
        (10, answered, "call_answered", {"wait_time": 10}),
        (20, answered, "call_hold", {}),
        (50, answered, "call_resumed", {}),
        (60, answered, "call_transferred", {"to_agent_id": "kpi-agent-2"}),
        (65, answered, "call_answered", {"wait_time": 5}),
        (100, answered, "call_ended", {"end_reason": "completed", "duration": 90}),
        (5, short, "call_initiated", {"media": "voice", "queue_id": queue_id}),
        (8, short, "call_ended", {"end_reason": "abandoned", "duration": 3}),
        (6, abandoned, "call_initiated", {"media": "video", "queue_id": queue_id}),
        (36, abandoned, "call_ended", {"end_reason": "abandoned", "duration": 30}),
    ]
    for offset, cid, kind, data in timeline:
        body = {
            "type": kind,
            "call_id": cid,
            "timestamp": (t0 + timedelta(seconds=offset)).isoformat(),
            "data": data,
        }
        response = await post(client, body, headers={"X-Backfill": "true"})
        assert response.status == 201, await response.text()

    body = await _stats(
        client, f"queue_id={queue_id}&from=2019-06-01T10:00:00Z&to=2019-06-01T11:00:00Z"
    )

    _assert_matches(
        body["queues"][0],
        {
            "offered": 3,
            "answered": 1,
            "abandoned": 2,
            "short_abandons": 1,
            "answered_within_sla": 1,
            "service_level": 1 / (1 + 2 - 1),
            "asa_s": 10.0,
            "aht_s": 90.0,
            "abandonment_rate": 1 / 3,
            "average_hold_s": 30.0,
            "transfer_rate": 1.0,
        },
    )
