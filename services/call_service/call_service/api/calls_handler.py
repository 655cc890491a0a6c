"""Read endpoints: GET /api/calls, /api/calls/{call_id}, /api/calls/{call_id}/events."""

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from call_service.api.app_keys import CALL_READS
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, next_cursor
from call_service.api.openapi import Route, operation, path_parameter, query_parameters
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.responses import json_model
from call_service.service import call_queries
from call_service.service.read_filters import LIVE_STATUSES, CallFilters
from contracts.calls import CallEventList, CallPage
from contracts.enums import CallFlag, CallStatus, Scope
from contracts.identifiers import AgentId, CallId, QueueId

_CALL_ID: TypeAdapter[str] = TypeAdapter(CallId)


class CallListQuery(BaseModel):
    """Query string of GET /api/calls; also the source of its OpenAPI parameters."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(
        default=None,
        description="One status, a comma list of them, or `live` (everything but ended).",
    )
    queue_id: QueueId | None = None
    agent_id: AgentId | None = None
    flag: CallFlag | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )

    @field_validator("status")
    @classmethod
    def _known_statuses(cls, value: str | None) -> str | None:
        if value is not None and value != "live":
            for part in value.split(","):
                CallStatus(part.strip())
        return value

    def statuses(self) -> frozenset[CallStatus] | None:
        if self.status is None:
            return None
        if self.status == "live":
            return LIVE_STATUSES
        return frozenset(CallStatus(p.strip()) for p in self.status.split(","))


async def list_calls(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    query = parse_query(request, CallListQuery)
    filters = CallFilters(
        statuses=query.statuses(),
        queue_id=query.queue_id,
        agent_id=query.agent_id,
        flag=query.flag,
        after=decode_cursor(query.cursor) if query.cursor else None,
    )
    page = await call_queries.list_calls(request.app[CALL_READS], filters, query.limit)
    return json_model(CallPage(data=page.items, next_cursor=next_cursor(page)))


def _call_id(request: web.Request) -> str:
    call_id = request.match_info["call_id"]
    try:
        return _CALL_ID.validate_python(call_id)
    except ValidationError as exc:
        raise _no_call() from exc


def _no_call() -> ProblemError:
    return ProblemError(404, "Call not found", "No call has that id.")


async def get_call(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    call = await call_queries.get_call(request.app[CALL_READS], _call_id(request))
    if call is None:
        raise _no_call()
    return json_model(call)


async def list_call_events(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    events = await call_queries.list_call_events(request.app[CALL_READS], _call_id(request))
    if events is None:
        raise _no_call()
    return json_model(CallEventList(data=events))


_CALL = [path_parameter("call_id")]
ROUTES = [
    Route(
        "GET",
        "/api/calls",
        list_calls,
        operation(
            "List calls, newest first, keyset-paginated (scope calls:read)",
            "CallPage",
            parameters=query_parameters(CallListQuery),
            errors=(422,),
        ),
    ),
    Route(
        "GET",
        "/api/calls/{call_id}",
        get_call,
        operation("One call (scope calls:read)", "Call", parameters=_CALL, errors=(404,)),
    ),
    Route(
        "GET",
        "/api/calls/{call_id}/events",
        list_call_events,
        operation(
            "The call's audit log in seq order (scope calls:read)",
            "CallEventList",
            parameters=_CALL,
            errors=(404,),
        ),
    ),
]
