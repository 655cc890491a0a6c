"""Close transport sessions that never authenticate.

The API key is checked at the Socket.io CONNECT packet. Without a deadline a
client could open the underlying Engine.IO transport, answer pings and hold the
connection forever without ever presenting a key; this closes any session that
has not joined the `/` namespace within `deadline_s`.

The deadline is the same for every session, so sessions reach it in the order they
opened: one queue of (deadline, session) and one timer for the head serve them all.
A sleeping task per session (with its coroutine, context and timer, about 1.3 KB)
would be held by every socket of a burst of connections for `deadline_s`; a queue
entry is under 100 bytes. A task is only started for a session that is closed.
"""

import asyncio
from collections import deque
from typing import Any

import structlog

AUTH_DEADLINE_S = 10.0
_log = structlog.get_logger(__name__)


def enforce_auth_deadline(sio: Any, deadline_s: float = AUTH_DEADLINE_S) -> None:
    """Wrap the server's Engine.IO connect handler to arm one deadline per session."""
    on_connect = sio.eio.handlers["connect"]
    pending: deque[tuple[float, str]] = deque()
    """(loop time of the deadline, Engine.IO session id), oldest first."""
    timer: asyncio.TimerHandle | None = None
    closing: set[asyncio.Task[None]] = set()

    def close_if_anonymous(eio_sid: str) -> None:
        if eio_sid in sio.eio.sockets and sio.manager.sid_from_eio_sid(eio_sid, "/") is None:
            _log.info("socket_closed_unauthenticated", eio_sid=eio_sid, deadline_s=deadline_s)
            task = asyncio.ensure_future(sio.eio.disconnect(eio_sid))
            closing.add(task)
            task.add_done_callback(closing.discard)

    def expire() -> None:
        nonlocal timer
        loop = asyncio.get_running_loop()
        now = loop.time()
        while pending and pending[0][0] <= now:
            close_if_anonymous(pending.popleft()[1])
        timer = loop.call_at(pending[0][0], expire) if pending else None

    async def connect_with_deadline(eio_sid: str, environ: dict[str, Any]) -> Any:
        nonlocal timer
        result = await on_connect(eio_sid, environ)
        loop = asyncio.get_running_loop()
        pending.append((loop.time() + deadline_s, eio_sid))
        if timer is None:
            timer = loop.call_at(pending[0][0], expire)
        return result

    sio.eio.on("connect", connect_with_deadline)
