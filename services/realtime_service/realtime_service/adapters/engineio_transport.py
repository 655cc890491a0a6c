"""Engine.IO's websocket transport: uncompressed, strict about frames, and closable at once.

**No per-message deflate.** python-engineio's aiohttp driver opens every websocket as
`WebSocketResponse(max_msg_size=…)`, that is with aiohttp's default `compress=True`: each
client that offers permessage-deflate (every browser; aiohttp when given `compress=15`) gets
a zlib compressor for the life of its socket and a decompressor once it sends a compressed
frame. Measured with 5,000 idle sockets of clients offering deflate: 133 KB of RSS each,
32 KB once declined; and on fan-out every socket compressed the same message again. Our
messages are small JSON on loopback or a LAN, so memory and CPU matter more than bytes: the
handshake answers without `Sec-WebSocket-Extensions` and frames go out uncompressed (RFC 7692
lets a server decline an offered extension; every client then sends uncompressed too).

**Frames engine.io cannot decode are refused here.** python-engineio decodes each text frame
outside any error handling: an empty frame, a packet type that is not a digit, a `b` (base64)
frame or a deeply nested JSON body (RecursionError) raised out of its websocket handler — a
traceback, and a session left open until its ping timeout. `wait` lets through only what an
engine.io v4 client sends over a websocket (see `frame_error`) and cuts the connection off
on anything else.

**Cut off on demand.** Each websocket records its TCP transport on the Engine.IO socket it
serves (`TCP_TRANSPORT`), so `close_transport` can abort a connection whose writer is stuck
on a client that does not read.

python-engineio has no option for any of this. Its server picks the websocket class from its
driver's table, the private attribute `AsyncServer._async` (the driver module's own dict,
shared by every server of the process). `serve_websockets_uncompressed` gives one server
a copy of that table whose `websocket` entry is `UncompressedWebSocket`; the module's dict
is left alone. `tests/adapters/test_engineio_transport.py` fails when an upgrade of
python-engineio changes this (the table is gone, or a deflate-offering client gets deflate
again).
"""

import asyncio
from typing import Any

import structlog
from aiohttp import web
from engineio.async_drivers.aiohttp import WebSocket

DRIVER_TABLE = "_async"
"""The private attribute of `engineio.AsyncServer` holding its async driver's table."""
TCP_TRANSPORT = "realtime_tcp_transport"
"""Attribute of an Engine.IO socket: the TCP transport of the websocket serving it."""
ENGINEIO_TYPES = frozenset("0123456")
"""Engine.IO packet types (open … noop), and — after a `4` (message) — Socket.io's."""

_log = structlog.get_logger(__name__)


class UncompressedWebSocket(WebSocket):  # type: ignore[misc]
    """The aiohttp driver's websocket wrapper, opened with `compress=False`.

    `send` is the driver's without its per-call `inspect.iscoroutinefunction` check
    (aiohttp's send methods are coroutines): it runs once per socket per message.
    """

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self._transport: asyncio.Transport | None = None

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self._transport = request.transport
        # The handler is the Engine.IO socket's bound `_websocket_handler`.
        served = getattr(self.handler, "__self__", None)
        if served is not None:
            setattr(served, TCP_TRANSPORT, request.transport)
        self.environ = environ
        try:
            await self.handler(self)
        finally:
            # engine.io's ping timer holds a closed socket for up to its ping interval:
            # without the connection's transport and buffers.
            if served is not None:
                setattr(served, TCP_TRANSPORT, None)
            self._transport = None
        return self._sock

    async def send(self, message: str | bytes) -> None:
        if isinstance(message, str):
            await self._sock.send_str(message)
        else:
            await self._sock.send_bytes(message)

    async def wait(self) -> str | bytes:
        """The next frame. OSError (as the driver's: "the connection is gone") once the
        websocket closes, or after cutting off a client that sent a frame engine.io cannot
        decode."""
        message = await self._sock.receive()
        data = message.data
        if isinstance(data, bytes):
            return data  # Socket.io attachments; a bad one fails in the packet guard
        if not isinstance(data, str):
            raise OSError("websocket closed")
        error = frame_error(data)
        if error is not None:
            _log.info("socket_frame_refused", reason=error, size=len(data))
            if self._transport is not None:
                self._transport.abort()
            raise OSError(error)
        return data


def frame_error(frame: str) -> str | None:
    """Why engine.io could not decode this text frame safely, or None.

    Over a websocket an engine.io v4 client sends its packet type and, for a message, a
    Socket.io packet (which starts with its own type digit); a ping or pong carries at most
    `probe` (the upgrade check). Anything else would be JSON-decoded by engine.io, or fail
    to be, outside its error handling.
    """
    if not frame or frame[0] not in ENGINEIO_TYPES:
        return "not an engine.io packet"
    body = frame[1:]
    if frame[0] == "4":
        return None if not body or body[0] in ENGINEIO_TYPES else "not a socket.io packet"
    return None if body in ("", "probe") else "unexpected engine.io payload"


async def close_transport(
    eio: Any, eio_sid: str, *, abort_after_s: float | None = None, discard_queued: bool = False
) -> bool:
    """Close an Engine.IO session from the server side, now; False if it was already closing.

    Its disconnect handlers run, a CLOSE packet is queued behind what is already queued
    (or instead of it, with `discard_queued`) and `None` after it, which is how engine.io
    stops a socket's writer: a websocket is then closed by the server at once, and a
    pending long-poll returns (`eio.disconnect()` would instead wait for the queue to drain,
    which a client that has gone away never does). With `abort_after_s`, the TCP connection
    of a websocket is aborted after that many seconds if it is still open — at once with 0 —
    for clients that do not read, on which the writer would wait for ever.
    """
    socket = eio.sockets.get(eio_sid)
    if socket is None or socket.closed or socket.closing:
        return False
    if discard_queued:
        while not socket.queue.empty():
            socket.queue.get_nowait()
            socket.queue.task_done()
    await socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
    socket.queue.put_nowait(None)
    transport = getattr(socket, TCP_TRANSPORT, None)
    if abort_after_s is not None and transport is not None:
        if abort_after_s <= 0:
            transport.abort()
        else:
            asyncio.get_running_loop().call_later(abort_after_s, _abort_if_open, transport)
    return True


def _abort_if_open(transport: asyncio.Transport) -> None:
    if not transport.is_closing():
        transport.abort()


def serve_websockets_uncompressed(eio: Any) -> None:
    """Make the Engine.IO server `eio` (aiohttp mode) open its websockets uncompressed."""
    table = getattr(eio, DRIVER_TABLE, None)
    if not isinstance(table, dict) or not issubclass(table.get("websocket") or object, WebSocket):
        raise RuntimeError(
            "python-engineio's driver table changed: cannot install the uncompressed websocket"
        )
    setattr(eio, DRIVER_TABLE, {**table, "websocket": UncompressedWebSocket})
