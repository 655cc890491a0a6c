"""Queues API: reads with calls:read, create and patch with admin, validation, OpenAPI parts."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic.json_schema import models_json_schema

from call_service.api.app import create_app
from call_service.api.queues_handler import MODELS as QUEUE_MODELS
from call_service.api.queues_handler import ROUTES as QUEUE_ROUTES
from call_service.settings import Settings
from contracts.problems import Problem

from .conftest import ADMIN, NO_SCOPE_KEY, READER, initiated, post

Client = TestClient[Any, Any]
READ = {"X-API-Key": READER}
ADMIN_H = {"X-API-Key": ADMIN}


@pytest.fixture
async def client(settings: Settings, aiohttp_client: Callable[[Any], Awaitable[Client]]) -> Client:
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def queue_id() -> str:
    return f"q-{uuid.uuid4().hex[:12]}"


async def _create(client: Client, body: dict[str, Any], key: str = ADMIN) -> Any:
    return await client.post("/api/queues", json=body, headers={"X-API-Key": key})


async def test_the_default_queues_are_listed_with_every_threshold(client: Client) -> None:
    response = await client.get("/api/queues", headers=READ)
    assert response.status == 200
    queues = {q["id"]: q for q in (await response.json())["data"]}
    spanish = queues["medical_spanish"]
    assert spanish["sla_seconds"] == 30
    assert spanish["no_answer_seconds"] == 15
    assert spanish["max_hold_seconds"] == 60
    assert spanish["short_call_seconds"] == 10
    assert spanish["short_abandon_seconds"] == 5
    assert spanish["service_level_includes_abandoned"] is True
    assert spanish["service_level_target"] == 0.8


async def test_a_created_queue_takes_the_defaults_and_can_be_read_back(
    client: Client, queue_id: str
) -> None:
    response = await _create(client, {"id": queue_id, "name": "Video ASL", "sla_seconds": 20})
    assert response.status == 201, await response.text()
    assert response.headers["Location"] == f"/api/queues/{queue_id}"
    created = await response.json()
    assert created["sla_seconds"] == 20
    assert created["no_answer_seconds"] == 15
    assert created["short_call_seconds"] == 10
    assert created["short_abandon_seconds"] == 5
    fetched = await client.get(f"/api/queues/{queue_id}", headers=READ)
    assert fetched.status == 200
    assert await fetched.json() == created


async def test_a_new_queue_accepts_calls(client: Client, queue_id: str) -> None:
    assert (await _create(client, {"id": queue_id, "name": "New"})).status == 201
    response = await post(client, initiated(f"{queue_id}-call", queue_id))
    assert response.status == 201, await response.text()


async def test_a_duplicate_id_is_409_and_changes_nothing(client: Client, queue_id: str) -> None:
    assert (await _create(client, {"id": queue_id, "name": "First"})).status == 201
    response = await _create(client, {"id": queue_id, "name": "Second"})
    assert response.status == 409
    assert response.content_type == "application/problem+json"
    assert (await (await client.get(f"/api/queues/{queue_id}", headers=READ)).json())[
        "name"
    ] == "First"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No id"}, "id"),
        ({"id": "bad id!", "name": "x"}, "id"),
        ({"id": "ok"}, "name"),
        ({"id": "ok", "name": "x", "sla_seconds": 0}, "sla_seconds"),
        ({"id": "ok", "name": "x", "max_hold_seconds": -1}, "max_hold_seconds"),
        ({"id": "ok", "name": "x", "no_answer_seconds": 10**9}, "no_answer_seconds"),
        ({"id": "ok", "name": "x", "short_abandon_seconds": "soon"}, "short_abandon_seconds"),
        ({"id": "ok", "name": "x", "service_level_target": 1.5}, "service_level_target"),
        ({"id": "ok", "name": "x", "color": "red"}, "color"),
    ],
)
async def test_an_invalid_queue_is_422_naming_the_field(
    client: Client, body: dict[str, Any], field: str
) -> None:
    response = await _create(client, body)
    assert response.status == 422
    problem = Problem.model_validate(await response.json())
    assert [e.loc for e in problem.errors or []] == [[field]]


async def test_a_body_that_is_not_a_json_object_is_422_or_415(client: Client) -> None:
    bad_json = await client.post(
        "/api/queues", data="{", headers={**ADMIN_H, "Content-Type": "application/json"}
    )
    assert bad_json.status == 422
    a_list = await client.post("/api/queues", json=[1], headers=ADMIN_H)
    assert a_list.status == 422
    text = await client.post("/api/queues", data="id=x", headers=ADMIN_H)
    assert text.status == 415


async def test_a_patch_changes_only_the_fields_sent(client: Client, queue_id: str) -> None:
    created = await (await _create(client, {"id": queue_id, "name": "Before"})).json()
    response = await client.patch(
        f"/api/queues/{queue_id}",
        json={"sla_seconds": 45, "service_level_includes_abandoned": False},
        headers=ADMIN_H,
    )
    assert response.status == 200, await response.text()
    patched = await response.json()
    assert patched["sla_seconds"] == 45
    assert patched["service_level_includes_abandoned"] is False
    assert patched["name"] == "Before"
    assert patched["max_hold_seconds"] == created["max_hold_seconds"]
    assert patched["updated_at"] > created["updated_at"]
    assert await (await client.get(f"/api/queues/{queue_id}", headers=READ)).json() == patched


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, []),
        ({"name": None}, ["name"]),
        ({"id": "renamed"}, ["id"]),
        ({"short_call_seconds": -2}, ["short_call_seconds"]),
        ({"service_level_target": 0}, ["service_level_target"]),
    ],
)
async def test_an_invalid_patch_is_422(
    client: Client, queue_id: str, body: dict[str, Any], loc: list[str]
) -> None:
    assert (await _create(client, {"id": queue_id, "name": "Q"})).status == 201
    response = await client.patch(f"/api/queues/{queue_id}", json=body, headers=ADMIN_H)
    assert response.status == 422
    problem = Problem.model_validate(await response.json())
    assert [e.loc for e in problem.errors or []] == [loc]


async def test_an_unknown_queue_is_404_to_read_and_to_patch(client: Client) -> None:
    assert (await client.get("/api/queues/no-such-queue", headers=READ)).status == 404
    assert (await client.get("/api/queues/bad%20id", headers=READ)).status == 404
    patch = await client.patch("/api/queues/no-such-queue", json={"name": "x"}, headers=ADMIN_H)
    assert patch.status == 404


async def test_reads_need_calls_read_and_changes_need_admin(client: Client, queue_id: str) -> None:
    assert (await client.get("/api/queues")).status == 401
    assert (await client.get("/api/queues", headers={"X-API-Key": NO_SCOPE_KEY})).status == 403
    assert (await client.get("/api/queues", headers=ADMIN_H)).status == 200
    assert (await _create(client, {"id": queue_id, "name": "x"}, key=READER)).status == 403
    patch = await client.patch("/api/queues/medical_spanish", json={"name": "x"}, headers=READ)
    assert patch.status == 403


def test_every_schema_the_queue_paths_reference_comes_from_the_queue_models() -> None:
    _, defs = models_json_schema([(m, "serialization") for m in [*QUEUE_MODELS, Problem]])
    refs = {
        content["schema"]["$ref"].rsplit("/", 1)[1]
        for route in QUEUE_ROUTES
        if (operation := route.operation) is not None
        for part in [*operation["responses"].values(), operation.get("requestBody", {})]
        for content in part.get("content", {}).values()
    }
    assert refs <= set(defs["$defs"])
    assert {"Queue", "QueueList", "QueueCreate", "QueuePatch"} <= refs
