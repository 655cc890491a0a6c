"""`/api/webhooks` (scope `admin`): register receivers, inspect and redeliver deliveries.

The repository is built from the app's pool on each request, so this module
needs nothing from the composition root but `POOL` (and `SETTINGS` for the
target check, webhook_targets.py). The secret is returned once, in the 201
answer to the registration, and by no other endpoint.
"""

import secrets
import uuid
from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, SecretStr, ValidationError

from call_service.adapters.postgres.webhooks_repository import (
    DeliveryFilter,
    PostgresWebhooksRepository,
)
from call_service.api.auth import require_scope
from call_service.api.cursors import decode_cursor, invalid_cursor, keyset_page
from call_service.api.problems import ProblemError
from call_service.api.state import POOL
from call_service.api.webhook_targets import WEBHOOK_HOST_RESOLVER, check_target
from call_service.api.webhooks_openapi import WEBHOOK_MODELS, WEBHOOK_OPENAPI_PATHS
from contracts.enums import Scope
from contracts.problems import FieldError
from contracts.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookDeliveryQuery,
    WebhookList,
)

__all__ = ["WEBHOOK_HOST_RESOLVER", "WEBHOOK_MODELS", "WEBHOOK_OPENAPI_PATHS", "WEBHOOK_ROUTES"]


def _repository(request: web.Request) -> PostgresWebhooksRepository:
    return PostgresWebhooksRepository(request.app[POOL])


def _json(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=model.model_dump_json(), content_type="application/json"
    )


def _field_errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[FieldError]:
    errors = []
    for error in exc.errors(include_url=False):
        loc = [*prefix, *error["loc"]]
        msg = error["msg"]
        if error["type"] == "json_invalid":
            msg = f"Invalid JSON: {error.get('ctx', {}).get('error', '')}"
        elif error["type"] == "model_type" and not error["loc"]:
            msg = "The body must be a JSON object"
        errors.append(FieldError(loc=loc, msg=msg))
    return errors


def _uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        raise ProblemError(404, f"{what} not found", f"No {what.lower()} has that id.") from exc


def _not_found(what: str) -> ProblemError:
    return ProblemError(404, f"{what} not found", f"No {what.lower()} has that id.")


async def create_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    if request.content_type != "application/json":
        raise ProblemError(415, "Unsupported media type", "Send the webhook as application/json.")
    try:
        body = WebhookCreate.model_validate_json(await request.read())
    except ValidationError as exc:
        raise ProblemError(
            422, "Validation failed", "The webhook is not valid.", _field_errors(exc)
        ) from exc
    await check_target(request, body.url)
    secret = body.secret or SecretStr(secrets.token_urlsafe(32))
    row = await _repository(request).create(body.url, list(body.event_types), secret)
    created = WebhookCreated.model_validate({**row, "secret": secret.get_secret_value()})
    response = _json(created, 201)
    response.headers["Location"] = f"/api/webhooks/{created.id}"
    return response


async def list_webhooks(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    rows = await _repository(request).list_all()
    return _json(WebhookList(data=[Webhook.model_validate(r) for r in rows]))


async def get_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    row = await _repository(request).get(_uuid(request, "webhook_id", "Webhook"))
    if row is None:
        raise _not_found("Webhook")
    return _json(Webhook.model_validate(row))


async def delete_webhook(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    if not await _repository(request).delete(_uuid(request, "webhook_id", "Webhook")):
        raise _not_found("Webhook")
    return web.Response(status=204)


async def list_deliveries(request: web.Request) -> web.Response:
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    try:
        query = WebhookDeliveryQuery.model_validate(dict(request.query))
    except ValidationError as exc:
        errors = _field_errors(exc, ("query",))
        raise ProblemError(422, "Validation failed", "Bad filter values.", errors) from exc
    repository = _repository(request)
    if await repository.get(webhook_id) is None:
        raise _not_found("Webhook")
    after = _delivery_cursor(query.cursor) if query.cursor else None
    rows = await repository.list_deliveries(
        webhook_id, DeliveryFilter(status=query.status, after=after, limit=query.limit + 1)
    )
    page, cursor = keyset_page(rows, query.limit, lambda r: (r["created_at"], str(r["id"])))
    data = [WebhookDelivery.model_validate(r) for r in page]
    return _json(WebhookDeliveryPage(data=data, next_cursor=cursor))


async def redeliver(request: web.Request) -> web.Response:
    """202: the delivery is pending again with a fresh attempt budget; 409 while in flight."""
    require_scope(request, Scope.ADMIN)
    webhook_id = _uuid(request, "webhook_id", "Webhook")
    delivery_id = _uuid(request, "delivery_id", "Delivery")
    repository = _repository(request)
    row = await repository.redeliver(webhook_id, delivery_id)
    if row is None:
        if await repository.get_delivery(webhook_id, delivery_id) is None:
            raise _not_found("Delivery")
        raise ProblemError(
            409, "Conflict", "The delivery is being sent right now; retry when it has finished."
        )
    return _json(WebhookDelivery.model_validate(row), 202)


def _delivery_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, delivery_id = decode_cursor(cursor)
    try:
        return at, uuid.UUID(delivery_id)
    except ValueError as exc:
        raise invalid_cursor() from exc


_BASE = "/api/webhooks"
_ONE = _BASE + "/{webhook_id}"
WEBHOOK_ROUTES: list[web.RouteDef] = [
    web.post(_BASE, create_webhook),
    web.get(_BASE, list_webhooks),
    web.get(_ONE, get_webhook),
    web.delete(_ONE, delete_webhook),
    web.get(_ONE + "/deliveries", list_deliveries),
    web.post(_ONE + "/deliveries/{delivery_id}/redeliver", redeliver),
]
