"""GET /api/stats: parse the window asked for, run the stats use case, answer.

The window rules and the KPI assembly are the use case's (service/stats_query.py).
"""

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from call_service.api.app_keys import CLOCK, STATS_READS
from call_service.api.auth import require_scope
from call_service.api.field_errors import validation_failed
from call_service.api.openapi import Route, operation, query_parameters
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.responses import json_model
from call_service.service.stats_query import InvalidWindow, WindowAsked, WindowName, query_stats
from contracts.enums import Scope
from contracts.identifiers import QueueId
from contracts.problems import FieldError
from contracts.stats import QueueStats, Stats, StatsWindow
from contracts.times import Instant

# A '+' left unencoded in a query string arrives as a space: "…T10:00:00 02:00".
_UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")
_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


class StatsQuery(BaseModel):
    """Query string of GET /api/stats; also the source of its OpenAPI parameters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    queue_id: QueueId | None = Field(default=None, description="Only this queue.")
    window: WindowName | None = Field(
        default=None, description="A span ending now (default 1h); not with from/to."
    )
    from_: Instant | None = Field(
        default=None, alias="from", description="RFC 3339 with offset; inclusive."
    )
    to: Instant | None = Field(default=None, description="RFC 3339 with offset; exclusive.")

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _rfc3339(cls, value: Any) -> Any:
        """Only RFC 3339 (pydantic alone would also take a Unix timestamp)."""
        if not isinstance(value, str) or not _RFC3339_START.match(value):
            raise ValueError("must be an RFC 3339 date-time with offset, e.g. 2024-05-01T08:00:00Z")
        return _UNENCODED_PLUS.sub(r"+\1", value)


async def get_stats(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    query = parse_query(request, StatsQuery)
    asked = WindowAsked(name=query.window, start=query.from_, end=query.to)
    try:
        stats = await query_stats(
            request.app[STATS_READS], request.app[CLOCK], asked, query.queue_id
        )
    except InvalidWindow as exc:
        error = FieldError(loc=["query", exc.parameter], msg=exc.reason)
        raise validation_failed("Bad query values.", [error]) from exc
    if stats is None:
        raise ProblemError(404, "Queue not found", "No queue has that id.")
    return json_model(stats)


MODELS: list[type[BaseModel]] = [Stats, StatsWindow, QueueStats]
ROUTES = [
    Route(
        "GET",
        "/api/stats",
        get_stats,
        operation(
            "KPIs per queue and overall over a window of start times (calls:read)",
            "Stats",
            ok_text="The KPIs.",
            parameters=query_parameters(StatsQuery),
            errors=(404, 422),
            texts={
                403: "The key lacks the calls:read scope.",
                404: "No queue has that id.",
                422: "Bad query values; `errors` names the parameters.",
                503: "Database unavailable.",
            },
        ),
    )
]
