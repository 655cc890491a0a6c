"""CORS for the dashboard's origin only, and security headers on every response.

Preflight requests from an allowed origin are answered here; other origins get
no CORS headers, so browsers refuse to hand them the response.
"""

from typing import Any

from aiohttp import web

from call_service.api.problems import Handler
from service_kit.security_headers import SECURITY_HEADERS

_ALLOWED_HEADERS = "Content-Type, X-API-Key, X-Request-ID, X-Backfill"
_EXPOSED_HEADERS = "X-Request-ID, Retry-After, Location"


def cors_and_security(allowed_origins: tuple[str, ...]) -> Any:
    allowed = frozenset(allowed_origins)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if preflight and origin in allowed:
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
            response.headers["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin or ""
            response.headers["Access-Control-Expose-Headers"] = _EXPOSED_HEADERS
            response.headers["Vary"] = "Origin"
        response.headers.update(SECURITY_HEADERS)
        return response

    return middleware
