"""POST /api/events: authenticate, check the media type, parse, ingest, answer."""

from aiohttp import web

from call_service.api.app_keys import CLOCK, SETTINGS, UOW_FACTORY
from call_service.api.auth import require_scope
from call_service.api.event_parsing import parse_event
from call_service.api.observability import correlation_id_of
from call_service.api.openapi import Route, json_body, operation
from call_service.api.problems import ProblemError
from call_service.api.rate_limit import enforce_rate_limit
from call_service.service.ingest_event import IngestOptions, ingest_event
from contracts.enums import Scope

MAX_BODY_BYTES = 64 * 1024


async def post_event(request: web.Request) -> web.Response:
    identity = require_scope(request, Scope.EVENTS_WRITE)
    await enforce_rate_limit(request, identity.label)
    if request.content_type != "application/json":
        raise ProblemError(415, "Unsupported media type", "Send the event as application/json.")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise _too_large()
    body = await request.read()
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    event = parse_event(body)
    options = ingest_options(request)
    result = await ingest_event(request.app[UOW_FACTORY], request.app[CLOCK], event, options)
    return web.Response(
        status=201 if result.created else 200,
        text=result.body.model_dump_json(),
        content_type="application/json",
        headers={"Location": f"/api/calls/{event.call_id}"},
    )


def ingest_options(request: web.Request) -> IngestOptions:
    """How this request's events are taken: its correlation id, backfill, the skew allowed."""
    return IngestOptions(
        correlation_id=correlation_id_of(request),
        backfill=request.headers.get("X-Backfill", "").lower() == "true",
        max_future_skew_s=request.app[SETTINGS].max_future_skew_s,
    )


def _too_large() -> ProblemError:
    return ProblemError(413, "Payload too large", "The request body is larger than 64 KiB.")


EVENT_HEADERS = [
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
"""The request headers both event endpoints read (OpenAPI parameters)."""


def _post_event_operation() -> dict[str, object]:
    op = operation(
        "Post one call event (scope events:write)",
        "EventAccepted",
        ok_status=201,
        parameters=EVENT_HEADERS,
        body_model="EventRequest",
        errors=(404, 409, 413, 415, 422, 429),
    )
    op["responses"]["200"] = {
        "description": "Replay of an accepted event_id; nothing written.",
        "content": json_body("EventAccepted"),
    }
    return op


ROUTES = [Route("POST", "/api/events", post_event, _post_event_operation())]
