"""POST /api/events/batch: up to 500 events, one result per event, in the batch's order.

Each result is what POST /api/events would have answered for that event alone:
its status code and its body (the accepted event and call, or a problem). The
response itself is 200 whenever the batch could be read; a malformed batch
(not JSON, not `{"events": [...]}`, more than 500 events) is one 4xx problem.
"""

from typing import Annotated, Any

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from call_service.api.app_keys import CLOCK, ERROR_KINDS, UOW_FACTORY
from call_service.api.auth import require_scope
from call_service.api.event_parsing import validate_event
from call_service.api.events_handler import EVENT_HEADERS, ingest_options
from call_service.api.field_errors import invalid_request
from call_service.api.openapi import Route, operation
from call_service.api.problems import ProblemError, problem_of
from call_service.api.rate_limit import enforce_rate_limit
from call_service.service.ingest_batch import for_each_in_call_order, ingest_new_calls
from call_service.service.ingest_event import ingest_event
from contracts.batch import MAX_BATCH_EVENTS, BatchResult, BatchResults
from contracts.enums import Scope
from contracts.events import EventRequest

MAX_BATCH_BYTES = 1024 * 1024
_log = structlog.get_logger(__name__)


class _BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[Any], Field(min_length=1, max_length=MAX_BATCH_EVENTS)]


_BODY = TypeAdapter(_BatchBody)


async def post_batch(request: web.Request) -> web.Response:
    identity = require_scope(request, Scope.EVENTS_WRITE)
    if request.content_type != "application/json":
        raise ProblemError(415, "Unsupported media type", "Send the batch as application/json.")
    raw = await request.read()
    try:
        batch = _BODY.validate_json(raw)
    except ValidationError as exc:
        detail = f'Send {{"events": [...]}} with 1 to {MAX_BATCH_EVENTS} events.'
        raise invalid_request(exc, detail) from exc
    await enforce_rate_limit(request, identity.label, cost=len(batch.events))
    parsed: list[EventRequest | BatchResult] = [_parse(item) for item in batch.events]
    events = [item if not isinstance(item, BatchResult) else None for item in parsed]
    options = ingest_options(request)
    uow_factory, clock, kinds = (
        request.app[UOW_FACTORY],
        request.app[CLOCK],
        request.app[ERROR_KINDS],
    )

    async def apply(event: EventRequest) -> BatchResult:
        try:
            result = await ingest_event(uow_factory, clock, event, options)
        except Exception as exc:  # noqa: BLE001 - an item's failure is its own result alone
            problem = problem_of(exc, kinds)
            return BatchResult(status=problem.status, body=problem)
        return BatchResult(status=201 if result.created else 200, body=result.body)

    try:
        opened = await ingest_new_calls(uow_factory, clock, events, options)
    except Exception as exc:  # noqa: BLE001 - the per-event path below answers each item
        # PostgreSQL down (each item then answers 503) or one item's value refused by the
        # shared statement: every event goes on alone, so only the bad one fails.
        _log.warning("batch_new_calls_statement_failed", error=type(exc).__name__)
        opened = {}
    rest = [None if index in opened else event for index, event in enumerate(events)]
    applied = await for_each_in_call_order(rest, apply, skipped=None)
    for index, result in opened.items():
        applied[index] = BatchResult(status=201, body=result.body)
    results = [p if isinstance(p, BatchResult) else a for p, a in zip(parsed, applied, strict=True)]
    body = BatchResults(results=[r for r in results if r is not None])
    return web.Response(text=body.model_dump_json(), content_type="application/json")


def _parse(item: Any) -> EventRequest | BatchResult:
    try:
        return validate_event(item)
    except ProblemError as exc:
        return BatchResult(status=exc.problem.status, body=exc.problem)


ROUTES = [
    Route(
        "POST",
        "/api/events/batch",
        post_batch,
        operation(
            "Post up to 500 events; one result per event, as POST /api/events would answer"
            " (scope events:write)",
            "BatchResults",
            parameters=EVENT_HEADERS,
            body_model="BatchRequest",
            errors=(413, 415, 422, 429),
        ),
    )
]
