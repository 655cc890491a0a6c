"""The routes of `/api/webhooks` with their OpenAPI operations (handlers: webhooks_handler.py)."""

from pydantic import BaseModel

from call_service.api import webhooks_handler as handler
from call_service.api.openapi import Route, operation, path_parameter, query_parameters
from contracts.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookDeliveryQuery,
    WebhookList,
)

MODELS: list[type[BaseModel]] = [
    WebhookCreate,
    WebhookCreated,
    Webhook,
    WebhookList,
    WebhookDelivery,
    WebhookDeliveryPage,
]
_TEXTS = {
    403: "The key lacks the admin scope.",
    404: "No such webhook (or delivery).",
    409: "The delivery is being sent right now.",
    503: "Database unavailable.",
}
_REGISTER_DESCRIPTION = (
    "The URL's host must resolve to public addresses only; loopback, private,"
    " link-local, multicast, reserved and other internal addresses (in any"
    " spelling), and names that do not resolve, are 422 naming `url` unless"
    " WEBHOOK_ALLOWED_HOSTS lists them."
)
_WEBHOOK = [path_parameter("webhook_id", "uuid")]
_BASE = "/api/webhooks"
_ONE = _BASE + "/{webhook_id}"
ROUTES = [
    Route(
        "POST",
        _BASE,
        handler.create_webhook,
        operation(
            "Register a webhook (scope admin); the only answer carrying its secret",
            "WebhookCreated",
            ok_status=201,
            ok_text="Registered.",
            body_model="WebhookCreate",
            errors=(415, 422),
            texts=_TEXTS,
            description=_REGISTER_DESCRIPTION,
        ),
    ),
    Route(
        "GET",
        _BASE,
        handler.list_webhooks,
        operation(
            "List webhooks, without secrets (scope admin)",
            "WebhookList",
            ok_text="Webhooks.",
            texts=_TEXTS,
        ),
    ),
    Route(
        "GET",
        _ONE,
        handler.get_webhook,
        operation(
            "One webhook, without its secret (scope admin)",
            "Webhook",
            ok_text="The webhook.",
            parameters=_WEBHOOK,
            errors=(404,),
            texts=_TEXTS,
        ),
    ),
    Route(
        "DELETE",
        _ONE,
        handler.delete_webhook,
        operation(
            "Delete a webhook and its deliveries (scope admin)",
            None,
            ok_status=204,
            ok_text="Deleted.",
            parameters=_WEBHOOK,
            errors=(404,),
            texts=_TEXTS,
        ),
    ),
    Route(
        "GET",
        _ONE + "/deliveries",
        handler.list_deliveries,
        operation(
            "Deliveries, newest first, each with every attempt (scope admin)",
            "WebhookDeliveryPage",
            ok_text="A page.",
            parameters=[*_WEBHOOK, *query_parameters(WebhookDeliveryQuery)],
            errors=(404, 422),
            texts=_TEXTS,
        ),
    ),
    Route(
        "POST",
        _ONE + "/deliveries/{delivery_id}/redeliver",
        handler.redeliver,
        operation(
            "Send a delivery again with a fresh attempt budget (scope admin)",
            "WebhookDelivery",
            ok_status=202,
            ok_text="Pending again.",
            parameters=[*_WEBHOOK, path_parameter("delivery_id", "uuid")],
            errors=(404, 409),
            texts=_TEXTS,
        ),
    ),
]
