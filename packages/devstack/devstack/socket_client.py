"""A real python-socketio client that records every `call_event` and `alert` it receives:
how the end-to-end and fault suites watch what the realtime service delivers."""

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import socketio

from devstack.stack_for_tests import READER


@dataclass
class SocketClient:
    url: str
    key: str = READER
    received: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    by_call: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """The `seq`s received per call, in order of arrival."""
    sio: Any = None
    reconnection: bool = True
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self, *rooms: str) -> None:
        """Connect over websocket and subscribe to each room (each must be acknowledged)."""
        self.sio = socketio.AsyncClient(reconnection=self.reconnection)
        self.sio.on("call_event", self._on_event)
        self.sio.on("alert", self._on_alert)
        await self.sio.connect(self.url, auth={"apiKey": self.key}, transports=["websocket"])
        for room in rooms:
            ack = await self.sio.call("subscribe", {"room": room}, timeout=5)
            if ack != {"ok": True}:
                raise AssertionError(f"subscribe {room}: {ack}")

    async def _on_event(self, payload: dict[str, Any]) -> None:
        self.received.append(payload)
        event = payload["event"]
        self.by_call[event["call_id"]].append(event["seq"])
        self._changed.set()

    async def _on_alert(self, payload: dict[str, Any]) -> None:
        self.alerts.append(payload)
        self._changed.set()

    async def wait_for_alerts(self, count: int, deadline_s: float = 20.0) -> None:
        """Until `count` alerts have arrived; TimeoutError after the deadline."""
        async with asyncio.timeout(deadline_s):
            while len(self.alerts) < count:
                self._changed.clear()
                await self._changed.wait()

    async def wait_for(self, count: int, deadline_s: float = 20.0) -> None:
        """Until `count` call events have arrived; TimeoutError after the deadline."""
        async with asyncio.timeout(deadline_s):
            while len(self.received) < count:
                self._changed.clear()
                await self._changed.wait()

    async def close(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()
