"""Scope checks for handlers: 401 for a missing or unknown key, 403 for a missing scope."""

from aiohttp import web

from call_service.api.problems import ProblemError
from contracts.enums import Scope
from service_kit.api_keys import ApiKeyRing, KeyIdentity
from service_kit.logs import bind_contextvars

API_KEY_RING = web.AppKey("api_key_ring", ApiKeyRing)


def require_scope(request: web.Request, scope: Scope) -> KeyIdentity:
    identity = request.app[API_KEY_RING].identify(request.headers.get("X-API-Key"))
    if identity is None:
        raise ProblemError(
            401,
            "Unauthorized",
            "Send a valid API key in the X-API-Key header.",
            headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
        )
    bind_contextvars(key=identity.label)
    if not identity.allows(scope):
        raise ProblemError(403, "Forbidden", f"This API key lacks the {scope.value} scope.")
    return identity
