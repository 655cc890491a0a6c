"""A transport that never authenticates is closed; an authenticated one stays."""

import asyncio
import dataclasses

import engineio
import pytest

from realtime_service.api.settings import Settings


@pytest.fixture
async def strict(start, settings: Settings):
    return await start(dataclasses.replace(settings, auth_deadline_s=0.5))


async def test_a_transport_that_never_sends_a_key_is_closed_after_the_deadline(strict) -> None:
    raw = engineio.AsyncClient()
    closed = asyncio.Event()
    raw.on("disconnect", closed.set)
    await raw.connect(strict.url, engineio_path="socket.io", transports=["websocket"])
    await asyncio.wait_for(closed.wait(), 5)
    assert raw.state != "connected"


async def test_an_authenticated_socket_outlives_the_deadline(strict, connect, keys) -> None:
    listener = await connect(url=strict.url)
    await asyncio.sleep(1.0)  # the point: still connected well after the 0.5 s deadline
    assert listener.client.connected
    assert await listener.subscribe("calls") == {"ok": True}


async def test_each_anonymous_transport_is_closed_at_its_own_deadline(strict) -> None:
    """One timer serves every session: it fires for the oldest, then re-arms for the next."""
    clients, closed_at = [], {}
    loop = asyncio.get_running_loop()
    for name in ("first", "second"):
        raw = engineio.AsyncClient()
        raw.on("disconnect", lambda *_, name=name: closed_at.setdefault(name, loop.time()))
        opened = loop.time()
        await raw.connect(strict.url, engineio_path="socket.io", transports=["websocket"])
        clients.append((name, raw, opened))
        await asyncio.sleep(0.3)

    for _ in range(50):
        if len(closed_at) == 2:
            break
        await asyncio.sleep(0.1)

    assert set(closed_at) == {"first", "second"}
    for name, raw, opened in clients:
        assert raw.state != "connected"
        assert closed_at[name] - opened >= 0.5  # never before its own deadline
    assert closed_at["first"] < closed_at["second"]
