"""GET /api/ops/outbox: how far behind the relay is, for operators."""

from aiohttp import web

from call_service.api.app_keys import OUTBOX_STATUS
from call_service.api.auth import require_scope
from call_service.api.openapi import Route, operation
from call_service.api.responses import json_model
from call_service.service.outbox_status import read_outbox_status
from contracts.enums import Scope


async def get_outbox(request: web.Request) -> web.Response:
    require_scope(request, Scope.CALLS_READ)
    return json_model(await read_outbox_status(request.app[OUTBOX_STATUS]))


ROUTES = [
    Route(
        "GET",
        "/api/ops/outbox",
        get_outbox,
        operation("Outbox backlog for operators (scope calls:read)", "OutboxStatus"),
    )
]
