"""GET /api/alerts (filters, keyset pagination) and POST /api/alerts/{alert_id}/ack."""

import uuid
from typing import Annotated

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from call_service.api.app_keys import ALERT_READS, CLOCK
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, next_cursor
from call_service.api.openapi import Route, operation, path_parameter, query_parameters
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.responses import json_model
from call_service.service import alert_queries
from call_service.service.read_filters import AlertFilters
from contracts.alerts import AlertPage
from contracts.enums import AlertKind, Scope
from contracts.identifiers import CallId, QueueId


class AlertListQuery(BaseModel):
    """Query string of GET /api/alerts; also the source of its OpenAPI parameters."""

    model_config = ConfigDict(extra="forbid")

    kind: AlertKind | None = None
    queue_id: QueueId | None = None
    call_id: CallId | None = None
    acknowledged: bool | None = None
    since: AwareDatetime | None = Field(default=None, description="Alerts at or after (RFC 3339).")
    until: AwareDatetime | None = Field(default=None, description="Alerts before (RFC 3339).")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: str | None = Field(default=None, max_length=512)


async def list_alerts(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    query = parse_query(request, AlertListQuery)
    filters = AlertFilters(
        kind=query.kind,
        queue_id=query.queue_id,
        call_id=query.call_id,
        acknowledged=query.acknowledged,
        since=query.since,
        until=query.until,
        after=decode_cursor(query.cursor) if query.cursor else None,
    )
    page = await alert_queries.list_alerts(request.app[ALERT_READS], filters, query.limit)
    return json_model(AlertPage(data=page.items, next_cursor=next_cursor(page)))


async def acknowledge_alert(request: web.Request) -> web.Response:
    identity = require_scope(request, Scope.ALERTS_ACK)
    alert_id = request.match_info["alert_id"]
    try:
        uuid.UUID(alert_id)
    except ValueError as exc:
        raise _no_alert() from exc
    alert = await alert_queries.acknowledge_alert(
        request.app[ALERT_READS], request.app[CLOCK], alert_id, identity.label
    )
    if alert is None:
        raise _no_alert()
    return json_model(alert)


def _no_alert() -> ProblemError:
    return ProblemError(404, "Alert not found", "No alert has that id.")


ROUTES = [
    Route(
        "GET",
        "/api/alerts",
        list_alerts,
        operation(
            "Supervisor alerts, newest first (scope calls:read)",
            "AlertPage",
            parameters=query_parameters(AlertListQuery),
            errors=(422,),
        ),
    ),
    Route(
        "POST",
        "/api/alerts/{alert_id}/ack",
        acknowledge_alert,
        operation(
            "Acknowledge an alert (scope alerts:ack); idempotent",
            "Alert",
            parameters=[path_parameter("alert_id")],
            errors=(404,),
        ),
    ),
]
