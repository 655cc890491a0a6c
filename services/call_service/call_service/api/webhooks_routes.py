"""OpenAPI 3.1 path items and component models of `/api/webhooks` (merged by openapi.py).

Schemas are referenced by model name; `WEBHOOK_MODELS` lists the models whose
schemas the document's components must carry.
"""

from typing import Any

from pydantic import BaseModel

from call_service.api.openapi import REF, json_body, query_parameters
from contracts.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookDeliveryQuery,
    WebhookList,
)

WEBHOOK_MODELS: list[type[BaseModel]] = [
    WebhookCreate,
    WebhookCreated,
    Webhook,
    WebhookList,
    WebhookDelivery,
    WebhookDeliveryPage,
]
_KEY: list[dict[str, list[str]]] = [{"apiKey": []}]
_TEXT = {
    401: "Missing or unknown API key.",
    403: "The key lacks the admin scope.",
    404: "No such webhook (or delivery).",
    409: "The delivery is being sent right now.",
    415: "Body is not application/json.",
    422: "Validation failed; `errors` names the fields.",
    503: "Database unavailable.",
}


def _problems(*codes: int) -> dict[str, Any]:
    content = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    return {str(c): {"description": _TEXT[c], "content": content} for c in (401, 403, 503, *codes)}


def _path_param(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }


_WEBHOOK = [_path_param("webhook_id")]
WEBHOOK_OPENAPI_PATHS: dict[str, Any] = {
    "/api/webhooks": {
        "post": {
            "summary": "Register a webhook (scope admin); the only answer carrying its secret",
            "description": (
                "The URL's host must resolve to public addresses only; loopback, private,"
                " link-local, multicast, reserved and other internal addresses (in any"
                " spelling), and names that do not resolve, are 422 naming `url` unless"
                " WEBHOOK_ALLOWED_HOSTS lists them."
            ),
            "security": _KEY,
            "requestBody": {"required": True, "content": json_body("WebhookCreate")},
            "responses": {
                "201": {"description": "Registered.", "content": json_body("WebhookCreated")},
                **_problems(415, 422),
            },
        },
        "get": {
            "summary": "List webhooks, without secrets (scope admin)",
            "security": _KEY,
            "responses": {
                "200": {"description": "Webhooks.", "content": json_body("WebhookList")},
                **_problems(),
            },
        },
    },
    "/api/webhooks/{webhook_id}": {
        "get": {
            "summary": "One webhook, without its secret (scope admin)",
            "security": _KEY,
            "parameters": _WEBHOOK,
            "responses": {
                "200": {"description": "The webhook.", "content": json_body("Webhook")},
                **_problems(404),
            },
        },
        "delete": {
            "summary": "Delete a webhook and its deliveries (scope admin)",
            "security": _KEY,
            "parameters": _WEBHOOK,
            "responses": {"204": {"description": "Deleted."}, **_problems(404)},
        },
    },
    "/api/webhooks/{webhook_id}/deliveries": {
        "get": {
            "summary": "Deliveries, newest first, each with every attempt (scope admin)",
            "security": _KEY,
            "parameters": [*_WEBHOOK, *query_parameters(WebhookDeliveryQuery)],
            "responses": {
                "200": {"description": "A page.", "content": json_body("WebhookDeliveryPage")},
                **_problems(404, 422),
            },
        }
    },
    "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": {
        "post": {
            "summary": "Send a delivery again with a fresh attempt budget (scope admin)",
            "security": _KEY,
            "parameters": [*_WEBHOOK, _path_param("delivery_id")],
            "responses": {
                "202": {"description": "Pending again.", "content": json_body("WebhookDelivery")},
                **_problems(404, 409),
            },
        }
    },
}
