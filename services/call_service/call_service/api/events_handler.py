"""POST /api/events: authenticate, check the media type, parse, ingest, answer."""

from aiohttp import web

from call_service.api.auth import require_scope
from call_service.api.event_parsing import parse_event
from call_service.api.observability import correlation_id_of
from call_service.api.problems import ProblemError
from call_service.api.state import CLOCK, RATE_LIMITER, UOW_FACTORY
from call_service.service.ingest_event import IngestOptions, ingest_event
from contracts.enums import Scope

MAX_BODY_BYTES = 64 * 1024


async def post_event(request: web.Request) -> web.Response:
    identity = require_scope(request, Scope.EVENTS_WRITE)
    decision = await request.app[RATE_LIMITER].check(identity.label)
    if not decision.allowed:
        raise ProblemError(
            429,
            "Too many requests",
            "This API key is over its event rate limit; retry after the delay.",
            headers={"Retry-After": str(decision.retry_after_s)},
        )
    if request.content_type != "application/json":
        raise ProblemError(415, "Unsupported media type", "Send the event as application/json.")
    event = parse_event(await request.read())
    options = IngestOptions(
        correlation_id=correlation_id_of(request),
        backfill=request.headers.get("X-Backfill", "").lower() == "true",
    )
    result = await ingest_event(request.app[UOW_FACTORY], request.app[CLOCK], event, options)
    return web.Response(
        status=201 if result.created else 200,
        text=result.body.model_dump_json(),
        content_type="application/json",
        headers={"Location": f"/api/calls/{event.call_id}"},
    )
