"""The OpenAPI 3.1 document, built from the route table and the contracts' pydantic models.

Each handler module declares its routes once, as `Route`s that carry their OpenAPI
operation (routes.py gathers them); every schema comes from a model, so the document
cannot drift from what the handlers validate and return.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from contracts.events import EventRequest

REF = "#/components/schemas/{model}"
_PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
PROBLEM_TEXT = {
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
"""What each problem status means, unless an operation says it more precisely."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    """One endpoint: where it is, who answers it, how the document describes it."""

    method: str
    path: str
    handler: Handler
    operation: dict[str, Any] | None = None
    """None: served but left out of the document (the document itself)."""


def json_body(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True)
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def path_parameter(name: str, format_: str | None = None) -> dict[str, Any]:
    schema = {"type": "string"} if format_ is None else {"type": "string", "format": format_}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def operation(
    summary: str,
    ok_model: str | None,
    *,
    ok_status: int = 200,
    ok_text: str = "Success.",
    parameters: list[dict[str, Any]] | None = None,
    body_model: str | None = None,
    errors: Iterable[int] = (),
    texts: Mapping[int, str] | None = None,
    secured: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One operation: its success response, its problem responses (401, 403 and 503 on
    every secured one), key security. `texts` words a problem status for this operation."""
    ok: dict[str, Any] = {"description": ok_text}
    if ok_model is not None:
        ok["content"] = json_body(ok_model)
    op: dict[str, Any] = {"summary": summary, **extra, "responses": {str(ok_status): ok}}
    if secured:
        op["security"] = [{"apiKey": []}]
        wording = {**PROBLEM_TEXT, **(texts or {})}
        for code in sorted({401, 403, *errors, 503}):
            op["responses"][str(code)] = {"description": wording[code], "content": _PROBLEM}
    if parameters:
        op["parameters"] = parameters
    if body_model is not None:
        op["requestBody"] = {"required": True, "content": json_body(body_model)}
    return op


def build_openapi(routes: Iterable[Route], models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """The document of `routes`; `models` are those whose schemas the operations name."""
    _, defs = models_json_schema([(m, "serialization") for m in models], ref_template=REF)
    schemas: dict[str, Any] = dict(defs["$defs"])
    request_schema = TypeAdapter(EventRequest).json_schema(ref_template=REF)
    schemas.update(request_schema.pop("$defs", {}))
    schemas["EventRequest"] = request_schema
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.operation is not None:
            paths.setdefault(route.path, {})[route.method.lower()] = route.operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Call lifecycle platform — call service", "version": "1.0.0"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
        "paths": paths,
    }
