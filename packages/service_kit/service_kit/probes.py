"""`/health`, `/ready` and `/metrics`, the same three on every HTTP process.

`/health` answers while the process runs; `/ready` runs the process's own
dependency checks (PostgreSQL, Redis …) and answers 503 naming what is down.
`/metrics` may first refresh gauges read from a store; that refresh runs at most
once per `SCRAPE_REFRESH_EVERY_S`, and scrapes arriving while it runs wait for it
instead of starting their own, so anyone polling `/metrics` costs the store nothing.
"""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping

import structlog
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises (any exception) when its dependency is unreachable."""

_log = structlog.get_logger(__name__)
READY_CHECK_TIMEOUT_S = 2.0
SCRAPE_REFRESH_EVERY_S = 5.0


class SharedRefresh:
    """Calls `refresh` at most once per `max_age_s`; concurrent callers share one call.

    A refresh that raises is not remembered: the next caller tries again.
    """

    def __init__(
        self,
        refresh: Callable[[], Awaitable[None]],
        max_age_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh = refresh
        self._max_age_s = max_age_s
        self._monotonic = monotonic
        self._fresh_until = float("-inf")
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        if self._monotonic() < self._fresh_until:
            return
        async with self._lock:  # a caller that waited here finds the value fresh
            if self._monotonic() < self._fresh_until:
                return
            await self._refresh()
            self._fresh_until = self._monotonic() + self._max_age_s


def probe_routes(
    checks: Mapping[str, ReadinessCheck],
    registry: CollectorRegistry = REGISTRY,
    before_scrape: Callable[[], Awaitable[None]] | None = None,
    refresh_every_s: float = SCRAPE_REFRESH_EVERY_S,
) -> list[web.RouteDef]:
    """The three routes; `before_scrape` refreshes gauges that are read from a store,
    at most once per `refresh_every_s` (0: at every scrape)."""
    refresh = SharedRefresh(before_scrape, refresh_every_s) if before_scrape else None

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def ready(_request: web.Request) -> web.Response:
        results = await asyncio.gather(*(_run(name, check) for name, check in checks.items()))
        status = dict(results)
        ok = all(value == "ok" for value in status.values())
        return web.json_response(
            {"status": "ok" if ok else "unavailable", "checks": status},
            status=200 if ok else 503,
        )

    async def metrics(_request: web.Request) -> web.Response:
        if refresh is not None:
            await refresh()
        body = generate_latest(_multiprocess_registry() or registry)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return [
        web.get("/health", health),
        web.get("/ready", ready),
        web.get("/metrics", metrics),
    ]


def _multiprocess_registry() -> CollectorRegistry | None:
    """With PROMETHEUS_MULTIPROC_DIR (several api workers), the sum over all processes."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    return combined


async def _run(name: str, check: ReadinessCheck) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), READY_CHECK_TIMEOUT_S)
    except (TimeoutError, OSError, ConnectionError) as exc:
        _log.warning("readiness_check_failed", check=name, error=type(exc).__name__)
        return name, "unavailable"
    except Exception as exc:  # noqa: BLE001 - any driver error means "not ready", logged
        _log.warning("readiness_check_failed", check=name, error=type(exc).__name__)
        return name, "unavailable"
    return name, "ok"
