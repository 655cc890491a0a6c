"""A lean Socket.io client for thousands of sockets: raw Engine.IO v4 over one websocket each.

python-socketio's client decodes every packet and keeps per-socket machinery that would make
the benchmark's own client the bottleneck at 1,000 receiving sockets, and too heavy for 10,000
idle ones on two cores. Here a socket is one aiohttp websocket and one reader task: open
(`0{…}`), connect to `/` with the key (`40{"apiKey": …}` → `40{"sid": …}`), join rooms with
acked `subscribe` emits (`42n[…]` → `43n[…]`), answer the server's pings (`2` → `3`), and note
when each `call_event` arrives, keyed by its `event_id`, read with a regex instead of decoding
the payload.
"""

import asyncio
import json
import re
import time
from multiprocessing.synchronize import Event
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

CALL_EVENT = '42["call_event",'
EVENT_ID = re.compile(r'"event_id":\s*"([^"]*)"')


class SocketError(RuntimeError):
    """The socket could not connect, authenticate or join a room."""


def websocket_url(realtime_url: str) -> str:
    parts = urlsplit(realtime_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, "/socket.io/", "EIO=4&transport=websocket", ""))


class LeanSocket:
    """One authenticated socket; `received` maps event_id → first receipt (time.monotonic)."""

    def __init__(self, realtime_url: str, api_key: str, rooms: list[str]) -> None:
        self.url = websocket_url(realtime_url)
        self.api_key = api_key
        self.rooms = rooms
        self.received: dict[str, float] = {}
        self.duplicates = 0
        self.closed_by_server = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Authenticated and in its rooms (it may have been closed since)."""
        return self._reader is not None

    async def connect(self, session: aiohttp.ClientSession, within_s: float = 30.0) -> None:
        """Open, authenticate and join the rooms; then read in the background."""
        async with asyncio.timeout(within_s):
            ws = await session.ws_connect(self.url, autoping=True, max_msg_size=0)
            self._ws = ws
            opening = await self._next_packet()
            if not opening.startswith("0"):
                raise SocketError(f"expected the Engine.IO open packet, got {opening[:80]!r}")
            await ws.send_str("40" + json.dumps({"apiKey": self.api_key}))
            answer = await self._next_packet()
            if not answer.startswith("40"):
                raise SocketError(f"connect refused: {answer[:120]!r}")
            for ack_id, room in enumerate(self.rooms, start=1):
                await ws.send_str(f"42{ack_id}" + json.dumps(["subscribe", {"room": room}]))
                ack = await self._next_packet()
                prefix = f"43{ack_id}"
                if not ack.startswith(prefix) or json.loads(ack[len(prefix) :]) != [{"ok": True}]:
                    raise SocketError(f"subscribe {room} refused: {ack[:120]!r}")
        self._reader = asyncio.create_task(self._read())

    async def _next_packet(self) -> str:
        """The next packet of the handshake; pings met on the way are answered."""
        assert self._ws is not None
        while True:
            message = await self._ws.receive()
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise SocketError(f"socket closed during the handshake ({message.type.name})")
            data: str = message.data
            if data == "2":
                await self._ws.send_str("3")
                continue
            return data

    async def _read(self) -> None:
        ws = self._ws
        assert ws is not None
        received = self.received
        async for message in ws:
            at = time.monotonic()
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data: str = message.data
            if data.startswith(CALL_EVENT):
                found = EVENT_ID.search(data)
                if found is not None:
                    event_id = found.group(1)
                    if event_id in received:
                        self.duplicates += 1
                    else:
                        received[event_id] = at
            elif data == "2":
                await ws.send_str("3")
            elif data.startswith("1") or data.startswith("41"):
                self.closed_by_server = True
                break

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()


async def connect_all(
    session: aiohttp.ClientSession,
    sockets: list[LeanSocket],
    concurrency: int = 100,
) -> list[str]:
    """Connect every socket, `concurrency` handshakes at a time; the errors, one per failure."""
    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(socket: LeanSocket) -> None:
        async with gate:
            try:
                await socket.connect(session)
            except (SocketError, aiohttp.ClientError, OSError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(*(one(s) for s in sockets))
    return errors


def new_session() -> aiohttp.ClientSession:
    """A session with no connection limit: every websocket holds a connection while open."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


def summary(sockets: list[LeanSocket]) -> dict[str, Any]:
    return {
        "received": [s.received for s in sockets],
        "duplicates": sum(s.duplicates for s in sockets),
        "closed_by_server": sum(1 for s in sockets if s.closed_by_server),
    }


def hold_sockets(
    urls: list[str],
    api_key: str,
    rooms: list[str],
    count: int,
    ready: Event,
    stop: Event,
) -> dict[str, Any]:
    """Child entry: connect `count` sockets (socket i to urls[i % len(urls)]), join `rooms`,
    set `ready`, keep them (answering pings, noting events) until `stop`; then their counts
    and, per connected socket, what it received."""
    return asyncio.run(_hold(urls, api_key, rooms, count, ready, stop))


async def _hold(
    urls: list[str], api_key: str, rooms: list[str], count: int, ready: Event, stop: Event
) -> dict[str, Any]:
    sockets = [LeanSocket(urls[i % len(urls)], api_key, rooms) for i in range(count)]
    async with new_session() as session:
        began = time.monotonic()
        errors = await connect_all(session, sockets)
        connect_s = time.monotonic() - began
        ready.set()
        await asyncio.to_thread(stop.wait)
        connected = [s for s in sockets if s.connected]
        result = {
            "connected": len(connected),
            "failed": len(errors),
            "error_samples": errors[:5],
            "connect_s": round(connect_s, 3),
            **summary(connected),
        }
        await asyncio.gather(*(s.close() for s in sockets))
    return result
