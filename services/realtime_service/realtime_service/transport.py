"""Engine.IO's websocket transport without per-message deflate.

python-engineio's aiohttp driver opens every websocket as `WebSocketResponse(max_msg_size=…)`,
that is with aiohttp's default `compress=True`: each client that offers permessage-deflate
(every browser; aiohttp when given `compress=15`) gets a zlib compressor for the life of its
socket and a decompressor once it sends a compressed frame. Measured with 5,000 idle sockets
of clients offering deflate: 133 KB of RSS each, 32 KB once declined; and on fan-out every
socket compressed the same message again. Our messages are small JSON on
loopback or a LAN, so memory and CPU matter more than bytes: the handshake answers without
`Sec-WebSocket-Extensions` and frames go out uncompressed (RFC 7692 lets a server decline an
offered extension; every client then sends uncompressed too).

python-engineio has no option for this. Its server picks the websocket class from its
driver's table, the private attribute `AsyncServer._async` (the driver module's own dict,
shared by every server of the process). `serve_websockets_uncompressed` gives one server
a copy of that table whose `websocket` entry is `UncompressedWebSocket`; the module's dict
is left alone. `tests/test_transport.py` fails when an upgrade of python-engineio changes
this (the table is gone, or a deflate-offering client gets deflate again).
"""

from typing import Any

from aiohttp import web
from engineio.async_drivers.aiohttp import WebSocket

DRIVER_TABLE = "_async"
"""The private attribute of `engineio.AsyncServer` holding its async driver's table."""


class UncompressedWebSocket(WebSocket):  # type: ignore[misc]
    """The aiohttp driver's websocket wrapper, opened with `compress=False`.

    `send` is the driver's without its per-call `inspect.iscoroutinefunction` check
    (aiohttp's send methods are coroutines): it runs once per socket per message.
    """

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock

    async def send(self, message: str | bytes) -> None:
        if isinstance(message, str):
            await self._sock.send_str(message)
        else:
            await self._sock.send_bytes(message)


def serve_websockets_uncompressed(eio: Any) -> None:
    """Make the Engine.IO server `eio` (aiohttp mode) open its websockets uncompressed."""
    table = getattr(eio, DRIVER_TABLE, None)
    if not isinstance(table, dict) or not issubclass(table.get("websocket") or object, WebSocket):
        raise RuntimeError(
            "python-engineio's driver table changed: cannot install the uncompressed websocket"
        )
    setattr(eio, DRIVER_TABLE, {**table, "websocket": UncompressedWebSocket})
