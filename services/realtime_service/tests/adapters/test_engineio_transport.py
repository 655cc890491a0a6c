"""Websockets are served without permessage-deflate, and messages still flow.

These tests also guard the private hooks `engineio_transport` relies on (python-engineio's
driver table; its websocket handler being the Engine.IO socket's bound method): after an
upgrade of python-engineio that changes them, they fail instead of deflate silently coming
back or slow clients no longer being cut off.
"""

import json
from types import SimpleNamespace

import aiohttp
import engineio.async_drivers.aiohttp as engineio_aiohttp
import pytest

from realtime_service.adapters.engineio_transport import (
    TCP_TRANSPORT,
    UncompressedWebSocket,
    serve_websockets_uncompressed,
)
from realtime_service.api.app_keys import SIO_KEY


async def _next_text(ws: aiohttp.ClientWebSocketResponse) -> str:
    """The next text frame, answering Engine.IO pings on the way."""
    while True:
        message = await ws.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        if message.data == "2":
            await ws.send_str("3")
            continue
        return str(message.data)


async def test_a_client_offering_deflate_gets_an_uncompressed_websocket_that_works(
    realtime, keys, make_call_event
) -> None:
    url = f"{realtime.url}/socket.io/?EIO=4&transport=websocket"
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, compress=15) as ws,
    ):
        assert "Sec-WebSocket-Extensions" not in ws._response.headers
        assert ws.compress == 0
        assert (await _next_text(ws)).startswith("0{")  # Engine.IO open
        await ws.send_str("40" + json.dumps({"apiKey": keys.read}))
        assert (await _next_text(ws)).startswith("40{")  # Socket.io connect accepted
        await ws.send_str("421" + json.dumps(["subscribe", {"room": "calls"}]))
        assert json.loads((await _next_text(ws)).removeprefix("431")) == [{"ok": True}]

        envelope = make_call_event(call_id="deflate-1")
        await realtime.publish(envelope)

        name, payload = json.loads((await _next_text(ws)).removeprefix("42"))
        assert name == "call_event"
        assert payload["event"]["call_id"] == "deflate-1"


async def test_the_server_uses_its_own_driver_table(realtime) -> None:
    eio = realtime.app[SIO_KEY].eio
    assert eio._async["websocket"] is UncompressedWebSocket
    # The driver module's table, shared by every Engine.IO server of the process, is untouched.
    assert engineio_aiohttp._async["websocket"] is engineio_aiohttp.WebSocket
    assert eio._async is not engineio_aiohttp._async


def test_installing_on_a_server_without_the_driver_table_fails_loudly() -> None:
    with pytest.raises(RuntimeError, match="driver table changed"):
        serve_websockets_uncompressed(SimpleNamespace())
    with pytest.raises(RuntimeError, match="driver table changed"):
        serve_websockets_uncompressed(SimpleNamespace(_async={"websocket": object}))


async def test_each_websocket_lends_its_tcp_transport_to_its_engine_io_socket(
    realtime, keys, eventually
) -> None:
    """`close_transport(abort_after_s=…)` relies on it to cut off a client that does not read."""
    url = f"{realtime.url}/socket.io/?EIO=4&transport=websocket"
    sockets = realtime.app[SIO_KEY].eio.sockets
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        eio_sid = json.loads((await _next_text(ws))[1:])["sid"]
        served = sockets[eio_sid]
        transport = getattr(served, TCP_TRANSPORT)
        assert transport is not None
        assert not transport.is_closing()
    await eventually(lambda: getattr(served, TCP_TRANSPORT) is None)  # released once closed
