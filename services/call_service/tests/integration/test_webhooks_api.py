"""`/api/webhooks` against a real, migrated PostgreSQL: registration, reads, deletes, errors."""

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from call_service.api.app import create_app
from call_service.api.app_keys import WEBHOOK_HOST_RESOLVER
from call_service.settings import Settings

from .conftest import ADMIN, READER, make_settings
from .fake_resolver import PUBLIC_ADDRESS, TableResolver

Client = TestClient[Any, Any]
ADMIN_HEADERS = {"X-API-Key": ADMIN}


@pytest.fixture
def fresh_settings(fresh_database_url: str, redis_url: str) -> Settings:
    return make_settings(fresh_database_url, redis_url)


@pytest.fixture
async def client(
    fresh_settings: Settings, aiohttp_client: Callable[[Any], Awaitable[Client]]
) -> Client:
    app = create_app(fresh_settings)
    app[WEBHOOK_HOST_RESOLVER] = TableResolver({"crm.example.com": [PUBLIC_ADDRESS]})
    return await aiohttp_client(app)


async def register(client: Client, **body: Any) -> Any:
    body.setdefault("url", "https://crm.example.com/hooks/calls")
    body.setdefault("event_types", ["survey_requested"])
    response = await client.post("/api/webhooks", json=body, headers=ADMIN_HEADERS)
    assert response.status == 201, await response.text()
    return await response.json()


async def test_registering_answers_201_with_the_secret_once(client: Client) -> None:
    created = await register(client, secret="s" * 32, event_types=["call_ended", "alert"])
    assert created["secret"] == "s" * 32
    assert created["event_types"] == ["call_ended", "alert"]
    listed = await (await client.get("/api/webhooks", headers=ADMIN_HEADERS)).json()
    assert [w["id"] for w in listed["data"]] == [created["id"]]
    one = await client.get(f"/api/webhooks/{created['id']}", headers=ADMIN_HEADERS)
    assert one.status == 200
    assert "secret" not in await one.json()
    assert all("secret" not in w for w in listed["data"])


async def test_a_secret_is_generated_when_none_is_sent(client: Client) -> None:
    first, second = await register(client), await register(client)
    assert len(first["secret"]) >= 32
    assert first["secret"] != second["secret"]


async def test_duplicate_event_types_are_dropped(client: Client) -> None:
    created = await register(client, event_types=["alert", "alert", "call_ended"])
    assert created["event_types"] == ["alert", "call_ended"]


async def test_delete_answers_204_and_then_the_webhook_is_gone(client: Client) -> None:
    created = await register(client)
    url = f"/api/webhooks/{created['id']}"
    assert (await client.delete(url, headers=ADMIN_HEADERS)).status == 204
    assert (await client.get(url, headers=ADMIN_HEADERS)).status == 404
    assert (await client.delete(url, headers=ADMIN_HEADERS)).status == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/api/webhooks/{uuid.uuid4()}",
        "/api/webhooks/not-a-uuid",
        f"/api/webhooks/{uuid.uuid4()}/deliveries",
    ],
)
async def test_unknown_ids_answer_404_problems(client: Client, path: str) -> None:
    response = await client.get(path, headers=ADMIN_HEADERS)
    assert response.status == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"url": "ftp://crm.example.com/x", "event_types": ["alert"]}, ["url"]),
        ({"url": "crm.example.com/x", "event_types": ["alert"]}, ["url"]),
        ({"url": "https://x.example/" + "a" * 2048, "event_types": ["alert"]}, ["url"]),
        ({"url": "https://crm.example.com", "event_types": []}, ["event_types"]),
        ({"url": "https://crm.example.com", "event_types": ["call_exploded"]}, ["event_types", 0]),
        (
            {"url": "https://crm.example.com", "event_types": ["alert"], "secret": "short"},
            ["secret"],
        ),
        ({"url": "https://crm.example.com", "event_types": ["alert"], "extra": 1}, ["extra"]),
        ({"event_types": ["alert"]}, ["url"]),
        ([], []),
    ],
)
async def test_bad_bodies_answer_422_naming_the_field(
    client: Client, body: Any, loc: list[Any]
) -> None:
    response = await client.post("/api/webhooks", json=body, headers=ADMIN_HEADERS)
    assert response.status == 422
    problem = await response.json()
    assert loc in [e["loc"] for e in problem["errors"]], problem


async def test_invalid_json_answers_422_and_another_media_type_415(client: Client) -> None:
    headers = {**ADMIN_HEADERS, "Content-Type": "application/json"}
    response = await client.post("/api/webhooks", data=b"{nope", headers=headers)
    assert response.status == 422
    text = await client.post("/api/webhooks", data=b"x", headers=ADMIN_HEADERS)
    assert text.status == 415


async def test_keys_without_admin_get_403_and_no_key_401(client: Client) -> None:
    body = {"url": "https://crm.example.com", "event_types": ["alert"]}
    reader = {"X-API-Key": READER}
    assert (await client.post("/api/webhooks", json=body, headers=reader)).status == 403
    assert (await client.get("/api/webhooks", headers=reader)).status == 403
    assert (await client.get("/api/webhooks")).status == 401


async def test_deliveries_list_each_attempt_and_filter_by_status(
    client: Client, fresh_database_url: str
) -> None:
    webhook = await register(client)
    dead, delivered = await _seed_deliveries(fresh_database_url, webhook["id"])
    base = f"/api/webhooks/{webhook['id']}/deliveries"
    everything = await (await client.get(base, headers=ADMIN_HEADERS)).json()
    assert {d["id"] for d in everything["data"]} == {str(dead), str(delivered)}
    only_dead = await (await client.get(f"{base}?status=dead", headers=ADMIN_HEADERS)).json()
    assert [d["id"] for d in only_dead["data"]] == [str(dead)]
    attempts = only_dead["data"][0]["attempts_log"]
    assert [a["status_code"] for a in attempts] == [500, 502, None]
    assert attempts[2]["error"] == "timed out after 5 s"
    assert only_dead["data"][0]["payload"] == {"id": "e-1", "type": "survey_requested"}


async def test_deliveries_are_paged_with_a_cursor(client: Client, fresh_database_url: str) -> None:
    webhook = await register(client)
    await _seed_deliveries(fresh_database_url, webhook["id"])
    base = f"/api/webhooks/{webhook['id']}/deliveries"
    first = await (await client.get(f"{base}?limit=1", headers=ADMIN_HEADERS)).json()
    assert len(first["data"]) == 1
    assert first["next_cursor"]
    second_url = f"{base}?limit=1&cursor={first['next_cursor']}"
    second = await (await client.get(second_url, headers=ADMIN_HEADERS)).json()
    assert len(second["data"]) == 1
    assert second["next_cursor"] is None
    assert first["data"][0]["id"] != second["data"][0]["id"]
    for query in ("status=lost", "limit=0", "cursor=%%%", "colour=red"):
        response = await client.get(f"{base}?{query}", headers=ADMIN_HEADERS)
        assert response.status == 422, query


async def test_redeliver_resets_a_dead_letter_to_pending_with_a_fresh_budget(
    client: Client, fresh_database_url: str
) -> None:
    webhook = await register(client)
    dead, _ = await _seed_deliveries(fresh_database_url, webhook["id"])
    url = f"/api/webhooks/{webhook['id']}/deliveries/{dead}/redeliver"
    response = await client.post(url, headers=ADMIN_HEADERS)
    assert response.status == 202
    body = await response.json()
    assert (body["status"], body["attempts"]) == ("pending", 0)
    assert len(body["attempts_log"]) == 3  # the history stays


async def test_redeliver_answers_404_for_unknown_and_409_while_in_flight(
    client: Client, fresh_database_url: str
) -> None:
    webhook = await register(client)
    dead, _ = await _seed_deliveries(fresh_database_url, webhook["id"])
    base = f"/api/webhooks/{webhook['id']}/deliveries"
    unknown = await client.post(f"{base}/{uuid.uuid4()}/redeliver", headers=ADMIN_HEADERS)
    assert unknown.status == 404
    conn = await asyncpg.connect(fresh_database_url)
    try:
        await conn.execute("UPDATE webhook_deliveries SET status = 'in_flight' WHERE id = $1", dead)
    finally:
        await conn.close()
    busy = await client.post(f"{base}/{dead}/redeliver", headers=ADMIN_HEADERS)
    assert busy.status == 409


async def test_the_served_openapi_describes_webhooks_and_every_ref_resolves(
    client: Client,
) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    assert "/api/webhooks" in doc["paths"]
    assert "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver" in doc["paths"]
    text = json.dumps(doc)
    refs = {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}
    assert refs <= set(doc["components"]["schemas"]), refs - set(doc["components"]["schemas"])


async def _seed_deliveries(database_url: str, webhook_id: str) -> tuple[uuid.UUID, uuid.UUID]:
    """One dead delivery (two HTTP errors, one timeout) and one delivered, written directly."""
    dead, delivered = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            """
            INSERT INTO webhook_deliveries
                (id, webhook_id, integration_outbox_id, event_type, payload, status, attempts,
                 delivered_at, created_at)
            VALUES ($1, $3, 1, 'survey_requested', '{"id":"e-1","type":"survey_requested"}',
                    'dead', 3, NULL, now() - interval '1 minute'),
                   ($2, $3, 2, 'survey_requested', '{"id":"e-2","type":"survey_requested"}',
                    'delivered', 1, now(), now())
            """,
            dead,
            delivered,
            uuid.UUID(webhook_id),
        )
        await conn.execute(
            """
            INSERT INTO webhook_delivery_attempts
                (delivery_id, attempted_at, duration_ms, status_code, error)
            VALUES ($1, now(), 12, 500, 'HTTP 500'), ($1, now(), 15, 502, 'HTTP 502'),
                   ($1, now(), 5000, NULL, 'timed out after 5 s'), ($2, now(), 9, 200, NULL)
            """,
            dead,
            delivered,
        )
    finally:
        await conn.close()
    return dead, delivered
