"""The OpenAPI 3.1 document, generated from the contracts' pydantic models.

Paths are declared here (and by the handler modules that export their own);
every schema comes from a model, so the document cannot drift from what the
handlers validate and return.
"""

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from call_service.api.alerts_handler import AlertListQuery
from call_service.api.calls_handler import CallListQuery
from contracts.alerts import Agent, AgentList, Alert, AlertPage
from contracts.batch import BatchRequest, BatchResults
from contracts.calls import Call, CallEventList, CallPage, EventAccepted
from contracts.events import EventRequest
from contracts.ops import OutboxStatus
from contracts.problems import Problem

REF = "#/components/schemas/{model}"
_PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
_PROBLEM_TEXT = {
    401: "Missing or unknown API key.",
    403: "The key lacks the scope.",
    404: "Not found.",
    409: "Transition not allowed, call exists, or event_id reused with other content.",
    413: "Body over the endpoint's limit (64 KiB for one event, 1 MiB otherwise).",
    415: "Body is not application/json.",
    422: "Validation failed; `errors` names the fields.",
    429: "Rate limit exceeded; see Retry-After.",
    503: "Database unavailable; nothing was written.",
}


def json_body(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}


def problems(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": _PROBLEM_TEXT[c], "content": _PROBLEM} for c in codes}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def operation(
    summary: str,
    ok_model: str | None,
    *,
    ok_status: int = 200,
    parameters: list[dict[str, Any]] | None = None,
    body_model: str | None = None,
    errors: tuple[int, ...] = (),
    secured: bool = True,
) -> dict[str, Any]:
    """One operation: its success response, its problem responses, key security."""
    ok: dict[str, Any] = {"description": "Success."}
    if ok_model is not None:
        ok["content"] = json_body(ok_model)
    op: dict[str, Any] = {"summary": summary, "responses": {str(ok_status): ok}}
    if secured:
        op["security"] = [{"apiKey": []}]
        op["responses"].update(problems(401, 403, *errors, 503))
    if parameters:
        op["parameters"] = parameters
    if body_model is not None:
        op["requestBody"] = {"required": True, "content": json_body(body_model)}
    return op


_EVENT_HEADERS = [
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
]


def _paths() -> dict[str, Any]:
    post_event = operation(
        "Post one call event (scope events:write)",
        "EventAccepted",
        ok_status=201,
        parameters=_EVENT_HEADERS,
        body_model="EventRequest",
        errors=(404, 409, 413, 415, 422, 429),
    )
    post_event["responses"]["200"] = {
        "description": "Replay of an accepted event_id; nothing written.",
        "content": json_body("EventAccepted"),
    }
    call_id = [path_parameter("call_id")]
    return {
        "/api/events": {"post": post_event},
        "/api/events/batch": {
            "post": operation(
                "Post up to 500 events; one result per event, as POST /api/events would answer"
                " (scope events:write)",
                "BatchResults",
                parameters=_EVENT_HEADERS,
                body_model="BatchRequest",
                errors=(413, 415, 422, 429),
            )
        },
        "/api/calls": {
            "get": operation(
                "List calls, newest first, keyset-paginated (scope calls:read)",
                "CallPage",
                parameters=query_parameters(CallListQuery),
                errors=(422,),
            )
        },
        "/api/calls/{call_id}": {
            "get": operation(
                "One call (scope calls:read)", "Call", parameters=call_id, errors=(404,)
            )
        },
        "/api/calls/{call_id}/events": {
            "get": operation(
                "The call's audit log in seq order (scope calls:read)",
                "CallEventList",
                parameters=call_id,
                errors=(404,),
            )
        },
        "/api/alerts": {
            "get": operation(
                "Supervisor alerts, newest first (scope calls:read)",
                "AlertPage",
                parameters=query_parameters(AlertListQuery),
                errors=(422,),
            )
        },
        "/api/alerts/{alert_id}/ack": {
            "post": operation(
                "Acknowledge an alert (scope alerts:ack); idempotent",
                "Alert",
                parameters=[path_parameter("alert_id")],
                errors=(404,),
            )
        },
        "/api/agents": {"get": operation("Every agent's numbers (scope calls:read)", "AgentList")},
        "/api/agents/{agent_id}": {
            "get": operation(
                "One agent's state and numbers (scope calls:read)",
                "Agent",
                parameters=[path_parameter("agent_id")],
                errors=(404,),
            )
        },
        "/api/ops/outbox": {
            "get": operation("Outbox backlog for operators (scope calls:read)", "OutboxStatus")
        },
        **{
            path: {"get": operation(summary, None, secured=False)}
            for path, summary in [
                ("/health", "Liveness"),
                ("/ready", "Readiness: 503 naming what is down"),
                ("/metrics", "Prometheus metrics"),
            ]
        },
    }


MODELS: list[type[BaseModel]] = [
    Call,
    CallPage,
    CallEventList,
    EventAccepted,
    OutboxStatus,
    Problem,
    Alert,
    AlertPage,
    Agent,
    AgentList,
    BatchRequest,
    BatchResults,
]


def build_openapi(
    extra_paths: dict[str, Any] | None = None, extra_models: list[type[BaseModel]] | None = None
) -> dict[str, Any]:
    models = [*MODELS, *(extra_models or [])]
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
        "paths": {**_paths(), **(extra_paths or {})},
    }
