"""Close transport sessions that never authenticate.

The API key is checked at the Socket.io CONNECT packet. Without a deadline a
client could open the underlying Engine.IO transport, answer pings and hold the
connection forever without ever presenting a key; this closes any session that
has not joined the `/` namespace within `deadline_s`.
"""

import asyncio
from typing import Any

import structlog

AUTH_DEADLINE_S = 10.0
_log = structlog.get_logger(__name__)


def enforce_auth_deadline(sio: Any, deadline_s: float = AUTH_DEADLINE_S) -> None:
    """Wrap the server's Engine.IO connect handler to arm one deadline per session."""
    on_connect = sio.eio.handlers["connect"]
    pending: set[asyncio.Task[None]] = set()

    async def close_if_anonymous(eio_sid: str) -> None:
        await asyncio.sleep(deadline_s)
        if eio_sid in sio.eio.sockets and sio.manager.sid_from_eio_sid(eio_sid, "/") is None:
            _log.info("socket_closed_unauthenticated", eio_sid=eio_sid, deadline_s=deadline_s)
            await sio.eio.disconnect(eio_sid)

    async def connect_with_deadline(eio_sid: str, environ: dict[str, Any]) -> Any:
        result = await on_connect(eio_sid, environ)
        task = asyncio.create_task(close_if_anonymous(eio_sid))
        pending.add(task)
        task.add_done_callback(pending.discard)
        return result

    sio.eio.on("connect", connect_with_deadline)
