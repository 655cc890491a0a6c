"""Values a naive schema lets through but a lower layer cannot take: each is a 4xx that writes
nothing, and one bad request never fails the requests beside it."""

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app

from .conftest import PRODUCER, READER, event, initiated, make_settings, post

Client = TestClient[Any, Any]
ClientFactory = Callable[[Any], Awaitable[Client]]
TABLES = ("calls", "call_events", "outbox", "call_timers", "alerts")


async def _counts(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        await conn.close()


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.fixture
async def fresh_client(
    fresh_database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> Client:
    return await aiohttp_client(create_app(make_settings(fresh_database_url, redis_url)))


async def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = await response.json()
    return body


@pytest.mark.parametrize(
    "body",
    [
        {**initiated("c-nul-event"), "event_id": "a\x00b"},
        {**initiated("c-ctl-event"), "event_id": "a\x1bb"},
        {**initiated("c-c1-event"), "event_id": "a\x85b"},
        {**initiated("c-nul\x00call")},
        event("call_initiated", "c-nul-queue", media="voice", queue_id="q\x00"),
    ],
    ids=["nul-event-id", "escape-event-id", "c1-event-id", "nul-call-id", "nul-queue-id"],
)
async def test_control_characters_in_ids_are_422_and_write_nothing(
    fresh_client: Client, fresh_database_url: str, body: dict[str, Any]
) -> None:
    before = await _counts(fresh_database_url)
    await _problem(await post(fresh_client, body), 422)
    assert await _counts(fresh_database_url) == before


async def test_a_lone_surrogate_in_a_body_is_422(fresh_client: Client) -> None:
    raw = json.dumps(initiated("c-surrogate")).replace('"c-surrogate"', '"c-\\ud800"')
    response = await fresh_client.post(
        "/api/events",
        data=raw.encode(),
        headers={"X-API-Key": PRODUCER, "Content-Type": "application/json"},
    )
    await _problem(response, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/api/agents/a%00b",
        "/api/calls/a%00b",
        "/api/calls/a%00b/events",
        "/api/queues/a%00b",
        "/api/calls/a%C0%80b",  # an overlong NUL: not UTF-8 at all
        "/api/calls/a%ED%A0%80b",  # an encoded surrogate
    ],
)
async def test_control_characters_in_a_path_answer_as_a_missing_id(
    client: Client, path: str
) -> None:
    response = await client.get(path, headers={"X-API-Key": READER})
    assert response.status in (404, 422), await response.text()
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "agent_id=a%00b",
        "queue_id=%1B",
        "cursor=" + _cursor("2024-01-01T00:00:00+00:00", "a\x00b"),
        "cursor=" + _cursor("0001-01-01T00:00:00+01:00", "x"),
        "cursor=" + _cursor("9999-12-31T23:59:59-01:00", "x"),
        "cursor=" + _cursor("9999-12-31T23:59:59+00:00", "x"),
        "cursor=" + _cursor(["nested"], "x"),
    ],
)
async def test_bad_filters_and_cursors_are_422(client: Client, query: str) -> None:
    response = await client.get(f"/api/calls?{query}", headers={"X-API-Key": READER})
    await _problem(response, 422)


@pytest.mark.parametrize(
    "window",
    [
        "from=0001-01-01T00:00:00%2B01:00&to=0001-01-02T00:00:00%2B01:00",
        "from=9999-12-30T00:00:00Z&to=9999-12-31T23:59:59Z",
        "from=9999-12-31T00:00:00-01:00&to=9999-12-31T23:59:59-01:00",
        "from=1969-12-31T00:00:00Z&to=1970-01-01T00:00:00Z",
    ],
)
async def test_stats_windows_at_the_calendars_edges_are_422(client: Client, window: str) -> None:
    response = await client.get(f"/api/stats?{window}", headers={"X-API-Key": READER})
    await _problem(response, 422)


@pytest.mark.parametrize(
    "timestamp",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-01:00",
        "1969-12-31T23:59:59Z",
    ],
)
@pytest.mark.parametrize("backfill", [False, True])
async def test_timestamps_outside_the_storable_range_are_422(
    fresh_client: Client, fresh_database_url: str, timestamp: str, backfill: bool
) -> None:
    before = await _counts(fresh_database_url)
    body = {**initiated(f"c-edge-{timestamp[:4]}"), "timestamp": timestamp}
    headers = {"X-Backfill": "true"} if backfill else {}
    problem = await _problem(await post(fresh_client, body, headers=headers), 422)
    assert [e["loc"] for e in problem["errors"]] == [["timestamp"]]
    assert await _counts(fresh_database_url) == before


@pytest.mark.parametrize("backfill", [False, True])
async def test_a_timestamp_beyond_the_allowed_skew_is_422(
    fresh_client: Client, fresh_database_url: str, backfill: bool
) -> None:
    headers = {"X-Backfill": "true"} if backfill else {}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    before = await _counts(fresh_database_url)
    problem = await _problem(
        await post(fresh_client, {**initiated("c-future"), "timestamp": future}, headers=headers),
        422,
    )
    assert problem["errors"][0]["loc"] == ["timestamp"]
    assert "ahead of the server's clock" in problem["errors"][0]["msg"]
    assert await _counts(fresh_database_url) == before
    # Within the skew (a producer's clock a little fast) is accepted.
    near = (datetime.now(UTC) + timedelta(seconds=60)).isoformat()
    accepted = await post(fresh_client, {**initiated("c-near"), "timestamp": near})
    assert accepted.status == 201, await accepted.text()


async def test_max_future_skew_is_a_setting(
    fresh_database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    settings = make_settings(fresh_database_url, redis_url, MAX_FUTURE_SKEW_SECONDS="5")
    client = await aiohttp_client(create_app(settings))
    ahead = (datetime.now(UTC) + timedelta(seconds=60)).isoformat()
    response = await post(client, {**initiated("c-skew"), "timestamp": ahead})
    await _problem(response, 422)


async def _raw_request(client: Client, head: bytes) -> bytes:
    """Send bytes as they are (no client would encode these headers) and read the answer."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(head)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 10)
    finally:
        writer.close()


@pytest.mark.parametrize("route", [b"GET /api/calls", b"GET /api/ops/outbox", b"GET /api/stats"])
async def test_a_key_that_is_not_utf8_is_401(client: Client, route: bytes) -> None:
    answer = await _raw_request(
        client,
        route + b" HTTP/1.1\r\nHost: x\r\nX-API-Key: \xff\xfe\r\nConnection: close\r\n\r\n",
    )
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 401"), answer[:300]
    assert b"application/problem+json" in answer


async def test_a_request_id_that_is_not_utf8_is_replaced(client: Client) -> None:
    answer = await _raw_request(
        client,
        b"GET /api/calls HTTP/1.1\r\nHost: x\r\nX-API-Key: "
        + READER.encode()
        + b"\r\nX-Request-ID: \xc3\x28\xff\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


@pytest.fixture
async def poisoned_database(fresh_database_url: str) -> str:
    """PostgreSQL itself refuses (SQLSTATE 22021, as for a NUL) any event of a call whose id
    contains `poison`: a value that passes the schema but not the database."""
    conn = await asyncpg.connect(fresh_database_url)
    await conn.execute(
        """
        CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.call_id LIKE '%poison%' THEN
                RAISE EXCEPTION 'invalid byte sequence' USING ERRCODE = '22021';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_poison BEFORE INSERT ON call_events
            FOR EACH ROW EXECUTE FUNCTION refuse_poison();
        """
    )
    await conn.close()
    return fresh_database_url


async def test_one_poisoned_new_call_among_fifty_fails_alone(
    poisoned_database: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(create_app(make_settings(poisoned_database, redis_url)))
    bodies = [initiated(f"c-good-{n}") for n in range(50)]
    bodies.insert(25, initiated("c-poison"))
    responses = await asyncio.gather(*(post(client, b) for b in bodies))
    statuses = [r.status for r in responses]
    assert statuses.pop(25) == 422
    assert statuses == [201] * 50
    assert (await _counts(poisoned_database))["calls"] == 50


async def test_a_batch_with_poisoned_items_answers_each_and_a_resend_writes_nothing(
    poisoned_database: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(create_app(make_settings(poisoned_database, redis_url)))
    events = [
        {**initiated("c-batch-1"), "event_id": "b-1"},
        {**initiated("c-batch-poison"), "event_id": "b-2"},
        {**initiated("c-batch-3"), "event_id": "b\x00-3"},
        {**initiated("c-batch-4"), "event_id": "b-4", "timestamp": "9999-12-31T23:59:59Z"},
        {**event("call_routed", "c-batch-1", agent_id="a-1", routing_time=1), "event_id": "b-5"},
        {**initiated("c-batch-6"), "event_id": "b-6"},
    ]
    headers = {"X-API-Key": PRODUCER}

    async def send() -> list[int]:
        response = await client.post("/api/events/batch", json={"events": events}, headers=headers)
        assert response.status == 200, await response.text()
        return [r["status"] for r in (await response.json())["results"]]

    assert await send() == [201, 422, 422, 422, 201, 201]
    after_first = await _counts(poisoned_database)
    assert after_first["calls"] == 2
    assert await send() == [200, 422, 422, 422, 200, 200]
    assert await _counts(poisoned_database) == after_first


async def test_no_free_connection_within_the_acquire_timeout_is_503_with_retry_after(
    fresh_database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    settings = make_settings(
        fresh_database_url, redis_url, DB_POOL_SIZE="1", DB_ACQUIRE_TIMEOUT_S="0.2"
    )
    app = create_app(settings)
    client = await aiohttp_client(app)
    from call_service.api.app_keys import POOL

    async with app[POOL].acquire():  # the only connection is taken
        posted = await post(client, initiated("c-starved"))
        listed = await client.get("/api/calls", headers={"X-API-Key": READER})
    for response in (posted, listed):
        await _problem(response, 503)
        assert response.headers["Retry-After"] == "1"
    assert (await post(client, initiated("c-starved"))).status == 201


async def test_a_request_stuck_past_the_request_timeout_is_503_and_writes_nothing(
    fresh_database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    settings = make_settings(fresh_database_url, redis_url, REQUEST_TIMEOUT_S="0.5")
    client = await aiohttp_client(create_app(settings))
    assert (await post(client, initiated("c-locked"))).status == 201
    blocker = await asyncpg.connect(fresh_database_url)
    try:
        async with blocker.transaction():
            await blocker.execute("SELECT 1 FROM calls WHERE id = 'c-locked' FOR UPDATE")
            routed = event("call_routed", "c-locked", agent_id="a-1", routing_time=1)
            response = await post(client, routed)
            await _problem(response, 503)
            assert response.headers["Retry-After"] == "1"
    finally:
        await blocker.close()
    events = await client.get("/api/calls/c-locked/events", headers={"X-API-Key": READER})
    assert [e["seq"] for e in (await events.json())["data"]] == [1]
    retried = await post(client, event("call_routed", "c-locked", agent_id="a-1", routing_time=1))
    assert retried.status == 201
    assert (await retried.json())["event"]["seq"] == 2


async def test_new_calls_beyond_the_waiting_cap_are_503_at_once_not_queued(
    fresh_database_url: str, redis_url: str, aiohttp_client: ClientFactory
) -> None:
    settings = make_settings(
        fresh_database_url,
        redis_url,
        DB_POOL_SIZE="1",
        DB_ACQUIRE_TIMEOUT_S="20",
        MAX_PENDING_NEW_CALLS="1",
        QUEUE_CACHE_TTL_S="600",
    )
    app = create_app(settings)
    client = await aiohttp_client(app)
    assert (await post(client, initiated("c-cap-warm"))).status == 201  # queue cached
    from call_service.api.app_keys import POOL

    async with app[POOL].acquire():  # every writer of the group now waits for a connection
        tasks = [asyncio.create_task(post(client, initiated(f"c-cap-{n}"))) for n in range(12)]
        # At most 4 writers hold a group each and 1 more waits; the others are refused
        # without waiting for the connection.
        deadline = asyncio.get_running_loop().time() + 10
        while sum(t.done() for t in tasks) < 6:
            assert asyncio.get_running_loop().time() < deadline, "requests were queued"
            await asyncio.sleep(0.02)
        refused = [t.result() for t in tasks if t.done()]
        assert {r.status for r in refused} == {503}
        assert all(r.headers["Retry-After"] == "1" for r in refused)
    waited = await asyncio.gather(*(t for t in tasks if not t.done()))
    assert {r.status for r in waited} == {201}
