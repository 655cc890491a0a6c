"""The real processes (api, relay, realtime) as subprocesses, and a Socket.io client."""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import socketio

from devstack.managed_process import ManagedProcess
from devstack.network import free_port

PRODUCER, READER = "e2e-producer", "e2e-reader"
API_KEYS = f"{PRODUCER}:events:write,{READER}:calls:read"


@dataclass
class Stack:
    api_url: str
    realtime_url: str
    processes: dict[str, ManagedProcess]
    env: dict[str, str] = field(default_factory=dict)
    """The environment every process was started with (for starting more of them)."""

    def output(self, name: str) -> str:
        return "\n".join(self.processes[name].recent_output())

    def another(self, name: str, module: str, **overrides: str) -> ManagedProcess:
        """One more process of the stack (not started): a second relay, a second realtime
        on its own `REALTIME_PORT`, …; the caller starts and stops it."""
        health_url = None
        if module == "realtime_service":
            port = overrides.setdefault("REALTIME_PORT", str(free_port()))
            health_url = f"http://127.0.0.1:{port}/health"
        return ManagedProcess(name, module, {**self.env, **overrides}, health_url)


@contextlib.contextmanager
def running_stack(
    database_url: str, redis_url: str, channel: str, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """api, relay, timers and realtime on free ports; `extra_env` is laid over their
    environment (e.g. `CORS_ORIGINS`, or `API_KEYS` with more keys)."""
    api_port, realtime_port = free_port(), free_port()
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": channel,
        "API_KEYS": API_KEYS,
        "CALL_SERVICE_PORT": str(api_port),
        "REALTIME_PORT": str(realtime_port),
        "RELAY_POLL_INTERVAL_S": "0.2",
        "RELAY_MAX_BACKOFF_S": "0.5",
        **(extra_env or {}),
    }
    api_url, realtime_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{realtime_port}"
    processes = {
        "api": ManagedProcess("api", "call_service.api", env, f"{api_url}/health"),
        "relay": ManagedProcess("relay", "call_service.relay", env),
        "timers": ManagedProcess("timers", "call_service.timers", env),
        "realtime": ManagedProcess("realtime", "realtime_service", env, f"{realtime_url}/health"),
    }
    with contextlib.ExitStack() as stack:
        for process in processes.values():
            stack.enter_context(process)
        yield Stack(api_url, realtime_url, processes, env)


@dataclass
class SocketClient:
    """A real python-socketio client that records every call_event it receives."""

    url: str
    key: str = READER
    received: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    by_call: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sio: Any = None
    reconnection: bool = True
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self, *rooms: str) -> None:
        self.sio = socketio.AsyncClient(reconnection=self.reconnection)
        self.sio.on("call_event", self._on_event)
        self.sio.on("alert", self._on_alert)
        await self.sio.connect(self.url, auth={"apiKey": self.key}, transports=["websocket"])
        for room in rooms:
            ack = await self.sio.call("subscribe", {"room": room}, timeout=5)
            assert ack == {"ok": True}, ack

    async def _on_event(self, payload: dict[str, Any]) -> None:
        self.received.append(payload)
        event = payload["event"]
        self.by_call[event["call_id"]].append(event["seq"])
        self._changed.set()

    async def _on_alert(self, payload: dict[str, Any]) -> None:
        self.alerts.append(payload)
        self._changed.set()

    async def wait_for_alerts(self, count: int, deadline_s: float = 20.0) -> None:
        async with asyncio.timeout(deadline_s):
            while len(self.alerts) < count:
                self._changed.clear()
                await self._changed.wait()

    async def wait_for(self, count: int, deadline_s: float = 20.0) -> None:
        async with asyncio.timeout(deadline_s):
            while len(self.received) < count:
                self._changed.clear()
                await self._changed.wait()

    async def close(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()
