"""`/api/webhooks` (scope `admin`): register receivers, inspect and redeliver deliveries.

The secret is returned once, in the 201 answer to the registration, and by no other
endpoint (service/webhook_admin.py).
"""

import uuid
from datetime import datetime

from aiohttp import web

from call_service.api.app_keys import WEBHOOK_REGISTRY
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, invalid_cursor, next_cursor
from call_service.api.problems import ProblemError
from call_service.api.query_params import parse_query
from call_service.api.request_body import parse_body
from call_service.api.responses import json_model
from call_service.api.webhook_targets import check_target
from call_service.service import webhook_admin
from call_service.service.read_filters import DeliveryFilter
from call_service.service.webhook_admin import RedeliveryRefused
from contracts.enums import Scope
from contracts.webhooks import WebhookCreate, WebhookDeliveryPage, WebhookDeliveryQuery, WebhookList


def _uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        raise _not_found(what) from exc


def _not_found(what: str) -> ProblemError:
    return ProblemError(404, f"{what} not found", f"No {what.lower()} has that id.")


async def create_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    body = await parse_body(request, WebhookCreate, "webhook")
    await check_target(request, body.url)
    created = await webhook_admin.register_webhook(request.app[WEBHOOK_REGISTRY], body)
    return json_model(created, 201, {"Location": f"/api/webhooks/{created.id}"})


async def list_webhooks(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    webhooks = await webhook_admin.list_webhooks(request.app[WEBHOOK_REGISTRY])
    return json_model(WebhookList(data=webhooks))


async def get_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    webhook = await webhook_admin.get_webhook(request.app[WEBHOOK_REGISTRY], webhook_id)
    if webhook is None:
        raise _not_found("Webhook")
    return json_model(webhook)


async def delete_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    if not await webhook_admin.delete_webhook(request.app[WEBHOOK_REGISTRY], webhook_id):
        raise _not_found("Webhook")
    return web.Response(status=204)


async def list_deliveries(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    query = parse_query(request, WebhookDeliveryQuery, "Bad filter values.")
    where = DeliveryFilter(
        status=query.status, after=_delivery_cursor(query.cursor) if query.cursor else None
    )
    page = await webhook_admin.list_deliveries(
        request.app[WEBHOOK_REGISTRY], webhook_id, where, query.limit
    )
    if page is None:
        raise _not_found("Webhook")
    return json_model(WebhookDeliveryPage(data=page.items, next_cursor=next_cursor(page)))


async def redeliver(request: web.Request) -> web.Response:
    """202: the delivery is pending again with a fresh attempt budget; 409 while in flight."""
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    delivery_id = _uuid(request, "delivery_id", "Delivery")
    outcome = await webhook_admin.redeliver(request.app[WEBHOOK_REGISTRY], webhook_id, delivery_id)
    if outcome is RedeliveryRefused.NOT_FOUND:
        raise _not_found("Delivery")
    if outcome is RedeliveryRefused.IN_FLIGHT:
        raise ProblemError(
            409, "Conflict", "The delivery is being sent right now; retry when it has finished."
        )
    return json_model(outcome, 202)


def _delivery_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, delivery_id = decode_cursor(cursor)
    try:
        return at, uuid.UUID(delivery_id)
    except ValueError as exc:
        raise invalid_cursor() from exc
