"""The `/` Socket.io namespace: key check at connect, room subscriptions after.

A connection without a `calls:read` key is refused before it can join anything;
after that a client chooses its rooms with `subscribe` / `unsubscribe`, each
answered by an ack. The key itself is never logged, only its non-secret label.
"""

from typing import Any

import socketio
import structlog
from pydantic import ValidationError

from contracts.enums import Scope
from contracts.realtime import Ack, SubscribeRequest
from realtime_service.metrics import RealtimeMetrics
from realtime_service.rooms import room_error
from service_kit.api_keys import ApiKeyRing

DEFAULT_MAX_ROOMS = 100
UNAUTHORIZED = "unauthorized"
BAD_REQUEST = 'expected {"room": "<room name>"}'

_log = structlog.get_logger(__name__)


class RealtimeNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self, keys: ApiKeyRing, metrics: RealtimeMetrics, max_rooms: int = DEFAULT_MAX_ROOMS
    ) -> None:
        super().__init__("/")
        self._keys = keys
        self._metrics = metrics
        self._max_rooms = max_rooms

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        presented = auth.get("apiKey") if isinstance(auth, dict) else None
        identity = self._keys.identify(presented) if isinstance(presented, str) else None
        if identity is None or not identity.allows(Scope.CALLS_READ):
            _log.info(
                "socket_refused",
                sid=sid,
                reason="no key" if identity is None else "missing scope",
                key=identity.label if identity else None,
            )
            raise socketio.exceptions.ConnectionRefusedError(UNAUTHORIZED)
        await self.save_session(sid, {"key": identity.label})
        self._metrics.connected_sockets.inc()
        _log.info("socket_connected", sid=sid, key=identity.label)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        self._metrics.connected_sockets.dec()
        _log.info("socket_disconnected", sid=sid, reason=str(reason))

    async def on_subscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        room, error = _parse(data)
        if room is None:
            return _nack(error)
        joined = self._joined(sid)
        if room not in joined and len(joined) >= self._max_rooms:
            return _nack(f"subscription limit reached ({self._max_rooms} rooms per connection)")
        await self.enter_room(sid, room)
        _log.info("socket_subscribed", sid=sid, room=room)
        return _ack()

    async def on_unsubscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        room, error = _parse(data)
        if room is None:
            return _nack(error)
        await self.leave_room(sid, room)
        _log.info("socket_unsubscribed", sid=sid, room=room)
        return _ack()

    def _joined(self, sid: str) -> set[str]:
        """Rooms the socket chose; the server also keeps every socket in its own sid room."""
        return {room for room in self.rooms(sid) if room != sid}


def _parse(data: object) -> tuple[str | None, str]:
    try:
        room = SubscribeRequest.model_validate(data).room
    except ValidationError:
        return None, BAD_REQUEST
    error = room_error(room)
    if error is not None:
        return None, error
    return room, ""


def _ack() -> dict[str, Any]:
    return Ack(ok=True).model_dump(exclude_none=True)


def _nack(error: str) -> dict[str, Any]:
    return Ack(ok=False, error=error).model_dump()
