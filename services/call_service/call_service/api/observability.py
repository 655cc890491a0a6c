"""Per-request correlation id and Prometheus request metrics.

The correlation id comes from `X-Request-ID` (if sane) or is made here; it is
bound into every log line of the request, echoed in the response, and stored
on the outbox row so the relay and the realtime service log the same id.
"""

import re
import time

import structlog
from aiohttp import web
from prometheus_client import Counter, Histogram

from call_service.api.problems import Handler
from service_kit.logs import bound_contextvars, new_correlation_id

CORRELATION_ID = web.RequestKey("correlation_id", str)
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_log = structlog.get_logger(__name__)

REQUESTS = Counter(
    "http_requests_total", "HTTP requests by route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def correlation_id_of(request: web.Request) -> str:
    return request[CORRELATION_ID]


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    supplied = request.headers.get("X-Request-ID", "")
    correlation_id = supplied if _SANE_ID.match(supplied) else new_correlation_id()
    request[CORRELATION_ID] = correlation_id
    route = _route_of(request)
    started = time.perf_counter()
    with bound_contextvars(correlation_id=correlation_id):
        response = await handler(request)
        elapsed = time.perf_counter() - started
        response.headers["X-Request-ID"] = correlation_id
        REQUESTS.labels(request.method, route, str(response.status)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        if route.startswith("/api/"):
            _log.info(
                "http_request",
                method=request.method,
                route=route,
                status=response.status,
                ms=round(elapsed * 1000, 2),
            )
    return response


def _route_of(request: web.Request) -> str:
    """The route template (`/api/calls/{call_id}`), so labels stay few."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "unmatched"
