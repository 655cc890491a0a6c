"""Close transport sessions that never authenticate.

The API key is checked at the Socket.io CONNECT packet. Without a deadline a
client could open the underlying Engine.IO transport, answer pings and hold the
connection forever without ever presenting a key — or after its key was refused;
this closes any session that is not connected to the `/` namespace `deadline_s`
after it opened. A connect still pending then (its handler never returned, or
failed midway) does not count as connected.

The deadline is the same for every session, so sessions reach it in the order they
opened: one ordered map of session → deadline and one timer for the head serve them
all. A sleeping task per session (with its coroutine, context and timer, about 1.3 KB)
would be held by every socket of a burst of connections for `deadline_s`; a map entry
is about 100 bytes, and it goes as soon as its session closes. A task is only started
for a session that is closed.
"""

import asyncio
from collections import OrderedDict
from typing import Any

import structlog

from realtime_service.adapters.detached_tasks import DetachedTasks
from realtime_service.adapters.engineio_transport import close_transport

AUTH_DEADLINE_S = 10.0
CLOSE_GRACE_S = 1.0
"""After the CLOSE packet, how long a client that does not read may keep its TCP connection."""
_NAMESPACE = "/"
_log = structlog.get_logger(__name__)


class AuthDeadline:
    """Installed on a python-socketio server: wraps its Engine.IO connect and disconnect
    handlers to arm one deadline per session and to drop it when the session closes."""

    def __init__(self, sio: Any, deadline_s: float = AUTH_DEADLINE_S) -> None:
        self._sio = sio
        self._deadline_s = deadline_s
        self._pending: OrderedDict[str, float] = OrderedDict()
        """Engine.IO session id → loop time of its deadline, oldest first."""
        self._timer: asyncio.TimerHandle | None = None
        self._closing = DetachedTasks(_log, "socket_close_failed")
        self._on_connect = sio.eio.handlers["connect"]
        self._on_disconnect = sio.eio.handlers["disconnect"]
        sio.eio.on("connect", self._connect)
        sio.eio.on("disconnect", self._disconnect)

    def pending_count(self) -> int:
        """Sessions whose deadline has not come yet (closed ones are not counted)."""
        return len(self._pending)

    async def _connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        result = await self._on_connect(eio_sid, environ)
        if result is False:  # refused by engine.io's connect handler: no session
            return result
        loop = asyncio.get_running_loop()
        self._pending[eio_sid] = loop.time() + self._deadline_s
        if self._timer is None:
            self._timer = loop.call_at(self._pending[eio_sid], self._expire)
        return result

    async def _disconnect(self, eio_sid: str, reason: Any = None) -> None:
        self._pending.pop(eio_sid, None)
        await self._on_disconnect(eio_sid, reason)

    def _expire(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._pending:
            eio_sid, deadline = next(iter(self._pending.items()))
            if deadline > now:
                break
            del self._pending[eio_sid]
            self._close_if_anonymous(eio_sid)
        if self._pending:
            self._timer = loop.call_at(next(iter(self._pending.values())), self._expire)
        else:
            self._timer = None

    def _close_if_anonymous(self, eio_sid: str) -> None:
        manager = self._sio.manager
        sid = manager.sid_from_eio_sid(eio_sid, _NAMESPACE)
        if eio_sid not in self._sio.eio.sockets or (
            sid is not None and manager.is_connected(sid, _NAMESPACE)
        ):
            return
        _log.info(
            "socket_closed_unauthenticated",
            eio_sid=eio_sid,
            deadline_s=self._deadline_s,
            connect_pending=sid is not None,
        )
        self._closing.start(close_transport(self._sio.eio, eio_sid, abort_after_s=CLOSE_GRACE_S))
