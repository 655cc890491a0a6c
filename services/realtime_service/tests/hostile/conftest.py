"""Fixtures for hostile clients: a raw Engine.IO websocket, a strict app, the leftovers.

The python-socketio client only sends well-formed packets (and cannot send a lone
surrogate); `RawSocket` sends any text frame as it is, so `40{"apiKey": "\\ud800"}`
reaches the server as the JSON escape a hostile client would write.
"""

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from realtime_service.adapters.connection_census import connection_entries
from realtime_service.api.app_keys import AUTH_DEADLINE_KEY, RESUMES_KEY, SIO_KEY

AUTH_DEADLINE_S = 0.5
CLOSE_SLACK_S = 2.0
"""How long after its deadline a refused transport may take to be seen closed."""


class RawSocket:
    """One Engine.IO v4 websocket, driven frame by frame."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, eio_sid: str) -> None:
        self.ws = ws
        self.eio_sid = eio_sid

    @classmethod
    async def open(cls, session: aiohttp.ClientSession, url: str) -> "RawSocket":
        ws = await session.ws_connect(
            f"{url}/socket.io/?EIO=4&transport=websocket", autoping=True, max_msg_size=0
        )
        opening = await ws.receive(timeout=5)
        assert opening.type is aiohttp.WSMsgType.TEXT, opening
        assert opening.data.startswith("0{"), opening.data
        return cls(ws, json.loads(opening.data[1:])["sid"])

    async def send(self, frame: str) -> None:
        await self.ws.send_str(frame)

    async def authenticate(self, key: str, rooms: tuple[str, ...] = ()) -> None:
        await self.send("40" + json.dumps({"apiKey": key}))
        assert (await self.next_frame()).startswith("40{")
        for ack_id, room in enumerate(rooms, start=1):
            await self.send(f"42{ack_id}" + json.dumps(["subscribe", {"room": room}]))
            assert json.loads((await self.next_frame()).removeprefix(f"43{ack_id}")) == [
                {"ok": True}
            ]

    async def next_frame(self, within: float = 5.0) -> str:
        """The next text frame, answering pings; AssertionError if the socket closes."""
        while True:
            message = await self.ws.receive(timeout=within)
            assert message.type is aiohttp.WSMsgType.TEXT, f"closed: {message.type.name}"
            if message.data == "2":
                await self.send("3")
                continue
            return str(message.data)

    async def frames_until_closed(self, within: float) -> list[str]:
        """Every text frame until the server closes the connection; AssertionError if it is
        still open after `within` seconds. Pings are not answered (a hostile client)."""
        frames: list[str] = []
        try:
            async with asyncio.timeout(within):
                while True:
                    message = await self.ws.receive()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        return frames
                    frames.append(str(message.data))
        except TimeoutError:
            raise AssertionError(f"still open after {within} s; got {frames!r}") from None


RawFactory = Callable[[str], Awaitable[RawSocket]]


@pytest.fixture
async def raw() -> AsyncIterator[RawFactory]:
    """Open raw sockets to an app's url; all closed after the test."""
    async with aiohttp.ClientSession() as session:
        sockets: list[RawSocket] = []

        async def factory(url: str) -> RawSocket:
            socket = await RawSocket.open(session, url)
            sockets.append(socket)
            return socket

        yield factory
        for socket in sockets:
            await socket.ws.close()


@pytest.fixture
async def strict(start, settings):
    """An app whose auth deadline is short enough to wait for."""
    return await start(dataclasses.replace(settings, auth_deadline_s=AUTH_DEADLINE_S))


def _leftovers(app: Any) -> dict[str, int]:
    entries = connection_entries(app[SIO_KEY], app[AUTH_DEADLINE_KEY], app[RESUMES_KEY])
    return {table: count for table, count in entries.items() if count}


@pytest.fixture
def closed_within() -> float:
    """Seconds by which a refused transport of `strict` must be seen closed."""
    return AUTH_DEADLINE_S + CLOSE_SLACK_S


@pytest.fixture
def leftovers() -> Callable[[Any], dict[str, int]]:
    """`leftovers(app)`: the per-connection tables that are not empty, with their counts."""
    return _leftovers
