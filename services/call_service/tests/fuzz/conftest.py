"""The running app the fuzz tests drive: the real `create_app` on a free loopback port.

It serves from its own event loop in a background thread, on a freshly migrated database
(`fresh_database_url`) and the test Redis, with one admin key (`admin_key`; admin covers
every scope) and the rate limiter raised out of the way.
"""

import asyncio
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from call_service.api.app import create_app
from call_service.settings import load_settings
from devstack.network import free_port

ADMIN_KEY = "fuzz-admin-key"


@pytest.fixture
def admin_key() -> str:
    """The key `running_app` accepts with the admin scope."""
    return ADMIN_KEY


@pytest.fixture
def running_app(fresh_database_url: str, redis_url: str) -> Iterator[str]:
    """The real app on a free port, served from its own event loop in a thread."""
    app_settings = load_settings(
        {
            "DATABASE_URL": fresh_database_url,
            "REDIS_URL": redis_url,
            "API_KEYS": f"{ADMIN_KEY}:admin",
            # The fuzzer posts far faster than a producer; keep the limiter out of the way.
            "RATE_LIMIT_PER_S": "100000",
            "RATE_LIMIT_BURST": "100000",
        }
    )
    port = free_port()
    started = threading.Event()
    failed: list[BaseException] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        runner = web.AppRunner(create_app(app_settings))
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
            started.set()
            await stop.wait()
        finally:
            await runner.cleanup()

    def run() -> None:
        try:
            loop.run_until_complete(serve())
        except BaseException as exc:
            failed.append(exc)
            started.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="fuzz-call-service", daemon=True)
    thread.start()
    assert started.wait(30), "the call service did not start"
    if failed:
        raise failed[0]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
