"""The OpenAPI 3.1 document, generated from the contracts' pydantic models.

Paths are declared here; every schema comes from a model, so the document
cannot drift from what the handlers validate and return.
"""

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from call_service.api.calls_handler import CallListQuery
from contracts.calls import Call, CallEventList, CallPage, EventAccepted
from contracts.events import EventRequest
from contracts.ops import OutboxStatus
from contracts.problems import Problem

REF = "#/components/schemas/{model}"
_PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}


def _problems(*codes: int) -> dict[str, Any]:
    text = {
        401: "Missing or unknown API key.",
        403: "The key lacks the scope.",
        404: "No such call.",
        409: "Transition not allowed, call exists, or event_id reused with other content.",
        413: "Body over 64 KiB.",
        415: "Body is not application/json.",
        422: "Validation failed; `errors` names the fields.",
        429: "Rate limit exceeded; see Retry-After.",
        503: "Database unavailable; nothing was written.",
    }
    return {str(c): {"description": text[c], "content": _PROBLEM} for c in codes}


def _query_parameters() -> list[dict[str, Any]]:
    schema = CallListQuery.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


_CALL_ID_PARAM = {"name": "call_id", "in": "path", "required": True, "schema": {"type": "string"}}
_KEY: list[dict[str, list[str]]] = [{"apiKey": []}]


def _paths() -> dict[str, Any]:
    read = _problems(401, 403, 503)
    return {
        "/api/events": {
            "post": {
                "summary": "Post one call event (scope events:write)",
                "security": _KEY,
                "parameters": [
                    {
                        "name": "X-Backfill",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "enum": ["true", "false"]},
                        "description": "Record history: no timers, no supervisor alerts.",
                    },
                    {
                        "name": "X-Request-ID",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 128},
                    },
                ],
                "requestBody": {"required": True, "content": _json("EventRequest")},
                "responses": {
                    "201": {"description": "Accepted.", "content": _json("EventAccepted")},
                    "200": {
                        "description": "Replay of an accepted event_id; nothing written.",
                        "content": _json("EventAccepted"),
                    },
                    **_problems(401, 403, 404, 409, 413, 415, 422, 429, 503),
                },
            }
        },
        "/api/calls": {
            "get": {
                "summary": "List calls, newest first, keyset-paginated (scope calls:read)",
                "security": _KEY,
                "parameters": _query_parameters(),
                "responses": {
                    "200": {"description": "A page.", "content": _json("CallPage")},
                    **read,
                    **_problems(422),
                },
            }
        },
        "/api/calls/{call_id}": {
            "get": {
                "summary": "One call (scope calls:read)",
                "security": _KEY,
                "parameters": [_CALL_ID_PARAM],
                "responses": {
                    "200": {"description": "The call.", "content": _json("Call")},
                    **read,
                    **_problems(404),
                },
            }
        },
        "/api/calls/{call_id}/events": {
            "get": {
                "summary": "The call's audit log in seq order (scope calls:read)",
                "security": _KEY,
                "parameters": [_CALL_ID_PARAM],
                "responses": {
                    "200": {"description": "Events.", "content": _json("CallEventList")},
                    **read,
                    **_problems(404),
                },
            }
        },
        "/api/ops/outbox": {
            "get": {
                "summary": "Outbox backlog for operators (scope calls:read)",
                "security": _KEY,
                "responses": {
                    "200": {"description": "Status.", "content": _json("OutboxStatus")},
                    **read,
                },
            }
        },
        **{
            path: {
                "get": {
                    "summary": summary,
                    "responses": {
                        "200": {"description": "OK."},
                        "503": {"description": "Not ready."},
                    },
                }
            }
            for path, summary in [
                ("/health", "Liveness"),
                ("/ready", "Readiness"),
                ("/metrics", "Prometheus metrics"),
            ]
        },
    }


def build_openapi() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        Call,
        CallPage,
        CallEventList,
        EventAccepted,
        OutboxStatus,
        Problem,
    ]
    _, defs = models_json_schema([(m, "serialization") for m in models], ref_template=REF)
    schemas: dict[str, Any] = dict(defs["$defs"])
    request_schema = TypeAdapter(EventRequest).json_schema(ref_template=REF)
    schemas.update(request_schema.pop("$defs", {}))
    schemas["EventRequest"] = request_schema
    return {
        "openapi": "3.1.0",
        "info": {"title": "Call lifecycle platform — call service", "version": "1.0.0"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
        "paths": _paths(),
    }
