"""GET /api/alerts (filters, keyset pagination) and POST /api/alerts/{alert_id}/ack."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from call_service.adapters.postgres.alerts_repository import AlertFilters
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, keyset_page
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.state import ALERT_READS
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
        limit=query.limit + 1,
    )
    alerts = await request.app[ALERT_READS].list_alerts(filters)
    page, next_cursor = keyset_page(alerts, query.limit, lambda a: (a.at, a.id))
    body = AlertPage(data=page, next_cursor=next_cursor)
    return web.Response(text=body.model_dump_json(), content_type="application/json")


async def acknowledge_alert(request: web.Request) -> web.Response:
    identity = require_scope(request, Scope.ALERTS_ACK)
    alert_id = request.match_info["alert_id"]
    try:
        uuid.UUID(alert_id)
    except ValueError as exc:
        raise ProblemError(404, "Alert not found", "No alert has that id.") from exc
    alert = await request.app[ALERT_READS].acknowledge(alert_id, datetime.now(UTC), identity.label)
    if alert is None:
        raise ProblemError(404, "Alert not found", "No alert has that id.")
    return web.Response(text=alert.model_dump_json(), content_type="application/json")
