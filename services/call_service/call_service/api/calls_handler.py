"""Read endpoints: GET /api/calls, /api/calls/{call_id}, /api/calls/{call_id}/events."""

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from call_service.adapters.postgres.call_reads import CallFilters
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, keyset_page
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.state import CALL_READS
from contracts.calls import CallEventList, CallPage
from contracts.enums import CallFlag, CallStatus, Scope
from contracts.identifiers import AgentId, CallId, QueueId

LIVE = frozenset(CallStatus) - {CallStatus.ENDED}
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
            return LIVE
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
        limit=query.limit + 1,
    )
    calls = await request.app[CALL_READS].list_calls(filters)
    page, next_cursor = keyset_page(calls, query.limit, lambda c: (c.start_time, c.id))
    body = CallPage(data=page, next_cursor=next_cursor)
    return web.Response(text=body.model_dump_json(), content_type="application/json")


def _call_id(request: web.Request) -> str:
    call_id = request.match_info["call_id"]
    try:
        return _CALL_ID.validate_python(call_id)
    except ValidationError as exc:
        raise ProblemError(404, "Call not found", "No call has that id.") from exc


async def get_call(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    call = await request.app[CALL_READS].get_call(_call_id(request))
    if call is None:
        raise ProblemError(404, "Call not found", "No call has that id.")
    return web.Response(text=call.model_dump_json(), content_type="application/json")


async def list_call_events(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    events = await request.app[CALL_READS].list_events(_call_id(request))
    if events is None:
        raise ProblemError(404, "Call not found", "No call has that id.")
    body = CallEventList(data=events)
    return web.Response(text=body.model_dump_json(), content_type="application/json")
