"""GET /api/stats: KPIs per queue and overall over a window of call start times.

A window is either a named span ending now (`window=15m|1h|24h`, default 1h) or
an explicit `from`/`to`; the two forms exclude each other. Calls count in the
window their `start_time` falls in ([from, to)), wherever they are now.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from call_service.adapters.postgres.stats_reads import PostgresStatsReads, QueueWindow
from call_service.api.auth import require_scope
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.state import CLOCK, POOL
from call_service.domain.kpis import Kpis, WindowCounts, overall_kpis, queue_kpis
from contracts.enums import Scope
from contracts.identifiers import QueueId
from contracts.problems import FieldError
from contracts.stats import QueueStats, Stats, StatsWindow
from contracts.times import Instant

WINDOWS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "24h": timedelta(hours=24)}
DEFAULT_WINDOW = "1h"
MAX_SPAN = timedelta(days=31)
# A '+' left unencoded in a query string arrives as a space: "…T10:00:00 02:00".
_UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")
_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


class StatsQuery(BaseModel):
    """Query string of GET /api/stats; also the source of its OpenAPI parameters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    queue_id: QueueId | None = Field(default=None, description="Only this queue.")
    window: Literal["15m", "1h", "24h"] | None = Field(
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


def _invalid(name: str, msg: str) -> ProblemError:
    error = FieldError(loc=["query", name], msg=msg)
    return ProblemError(422, "Validation failed", "Bad query values.", [error])


def resolve_window(query: StatsQuery, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC, or a 422 naming the parameter at fault."""
    if query.from_ is None and query.to is None:
        return now - WINDOWS[query.window or DEFAULT_WINDOW], now
    if query.window is not None:
        raise _invalid("window", "give either window or from/to, not both")
    if query.from_ is None:
        raise _invalid("from", "required with to")
    if query.to is None:
        raise _invalid("to", "required with from")
    start, end = query.from_.astimezone(UTC), query.to.astimezone(UTC)
    if start >= end:
        raise _invalid("to", "must be after from")
    if end - start > MAX_SPAN:
        raise _invalid("to", f"the span may not exceed {MAX_SPAN.days} days")
    return start, end


def _wait_s(oldest: datetime | None, now: datetime) -> float | None:
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


def queue_stats(
    queue_id: str | None,
    counts: WindowCounts,
    kpis: Kpis,
    waiting_now: int,
    longest_wait_s: float | None,
) -> QueueStats:
    return QueueStats(
        queue_id=queue_id,
        waiting_now=waiting_now,
        longest_current_wait_s=longest_wait_s,
        offered=counts.offered,
        answered=counts.answered,
        abandoned=counts.abandoned,
        short_abandons=counts.short_abandons,
        answered_within_sla=counts.answered_within_sla,
        service_level=kpis.service_level,
        asa_s=kpis.asa_s,
        aht_s=kpis.aht_s,
        abandonment_rate=kpis.abandonment_rate,
        average_hold_s=kpis.average_hold_s,
        transfer_rate=kpis.transfer_rate,
    )


def build_stats(windows: list[QueueWindow], start: datetime, end: datetime, now: datetime) -> Stats:
    per_queue = [
        queue_stats(
            w.queue_id,
            w.counts,
            queue_kpis(w.counts, w.includes_abandoned),
            w.waiting_now,
            _wait_s(w.oldest_waiting_since, now),
        )
        for w in windows
    ]
    totals, kpis = overall_kpis((w.counts, w.includes_abandoned) for w in windows)
    oldest = min((w.oldest_waiting_since for w in windows if w.oldest_waiting_since), default=None)
    overall = queue_stats(
        None, totals, kpis, sum(w.waiting_now for w in windows), _wait_s(oldest, now)
    )
    return Stats(
        window=StatsWindow(from_=start, to=end),
        generated_at=now,
        overall=overall,
        queues=per_queue,
    )


async def get_stats(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    query = parse_query(request, StatsQuery)
    now = request.app[CLOCK].now()
    start, end = resolve_window(query, now)
    windows = await PostgresStatsReads(request.app[POOL]).queue_windows(start, end, query.queue_id)
    if query.queue_id is not None and not windows:
        raise ProblemError(404, "Queue not found", "No queue has that id.")
    body = build_stats(windows, start, end, now)
    return web.Response(text=body.model_dump_json(), content_type="application/json")


STATS_ROUTES: list[web.RouteDef] = [web.get("/api/stats", get_stats)]
STATS_MODELS: list[type[BaseModel]] = [Stats, StatsWindow, QueueStats]

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _parameters() -> list[dict[str, Any]]:
    schema = StatsQuery.model_json_schema(by_alias=True)
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


STATS_OPENAPI_PATHS: dict[str, Any] = {
    "/api/stats": {
        "get": {
            "summary": "KPIs per queue and overall over a window of start times (calls:read)",
            "security": [{"apiKey": []}],
            "parameters": _parameters(),
            "responses": {
                "200": {
                    "description": "The KPIs.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}
                    },
                },
                **{
                    str(code): {"description": text, "content": _PROBLEM}
                    for code, text in [
                        (401, "Missing or unknown API key."),
                        (403, "The key lacks the calls:read scope."),
                        (404, "No queue has that id."),
                        (422, "Bad query values; `errors` names the parameters."),
                        (503, "Database unavailable."),
                    ]
                },
            },
        }
    }
}
