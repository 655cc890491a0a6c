"""The `/` Socket.io namespace: key check at connect and at each subscribe, rooms, resume.

A connection without a `calls:read` key is refused before it can join anything;
after that a client chooses its rooms with `subscribe` / `unsubscribe`, each
answered by an ack (`domain.acks`). Each subscribe checks the connection's key again
against the current key ring and the scope its room needs (`domain.access.ROOM_SCOPES`). A
subscribe to `call:<id>` with `since_seq` first replays the stored events after it
(`service.call_resume`; `domain.resume_seam` for the seam), at most `resumes_per_minute`
times a minute per socket (`domain.resume_allowance`).

No handler raises to python-socketio: a connect that fails for any reason is refused, a
subscribe or unsubscribe that fails is answered `INTERNAL_ERROR`, each leaving the socket's
state as it was, and logged. The key itself is never logged, only its non-secret label;
a failed connect logs only the exception's type and place (`domain.failure_fields`).
"""

import time
from typing import Any

import socketio
import structlog

from contracts.enums import Scope
from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.domain.access import refusal
from realtime_service.domain.acks import (
    BAD_REQUEST,
    INTERNAL_ERROR,
    RESUME_CALL_ROOMS_ONLY,
    UNAUTHORIZED,
    ack,
    nack,
    parse,
)
from realtime_service.domain.event_routing import CLIENT_EVENTS, event_refusal
from realtime_service.domain.failure_fields import failure_fields
from realtime_service.domain.resume_allowance import DEFAULT_RESUMES_PER_MINUTE, ResumeAllowance
from realtime_service.domain.resume_seam import ResumeRegistry
from realtime_service.domain.rooms import CALL_PREFIX, RoomKind, room_kind
from realtime_service.service.call_resume import CallRoomResume, chosen_rooms
from realtime_service.service.ports import BacklogSource
from service_kit.api_keys import ApiKeyRing, KeyIdentity

DEFAULT_MAX_ROOMS = 100
Refused = socketio.exceptions.ConnectionRefusedError

_log = structlog.get_logger(__name__)


class RealtimeNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self,
        keys: ApiKeyRing,
        metrics: RealtimeMetrics,
        resumes: ResumeRegistry | None = None,
        backlog: BacklogSource | None = None,
        max_rooms: int = DEFAULT_MAX_ROOMS,
        resumes_per_minute: int = DEFAULT_RESUMES_PER_MINUTE,
    ) -> None:
        super().__init__("/")
        self._keys = keys
        self._metrics = metrics
        self._resumes = resumes if resumes is not None else ResumeRegistry()
        self._call_resume = CallRoomResume(self, self._resumes, backlog, metrics)
        self._max_rooms = max_rooms
        self._resumes_per_minute = resumes_per_minute

    def replace_keys(self, keys: ApiKeyRing) -> None:
        """Use another key ring (a rotation): open connections are held to it from their
        next subscribe on; new connections at connect."""
        self._keys = keys

    async def trigger_event(self, event: object, *args: Any) -> Any:
        """Run the event's handler, unless `event_routing` refuses it: then a client event
        with an ack id is answered BAD_REQUEST (`subscribe` with extra arguments) or not at
        all, as python-socketio answers an unknown event."""
        refused = event_refusal(self.server, self.namespace, event, args)
        if refused is None:
            return await super().trigger_event(event, *args)
        self._metrics.refused_events.inc()
        _log.info("socket_event_refused", sid=args[0] if args else None, reason=refused)
        if isinstance(event, str) and event in CLIENT_EVENTS:
            return nack(BAD_REQUEST)
        return self.server.not_handled

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        """Accept a `calls:read` key in `{"apiKey": …}`; refuse anything else, whatever its
        shape (`auth` is any JSON value), and any failure while checking it."""
        try:
            presented = auth.get("apiKey") if isinstance(auth, dict) else None
            identity = self._keys.identify(presented) if isinstance(presented, str) else None
            if identity is None or not identity.allows(Scope.CALLS_READ):
                reason = "no_key" if identity is None else "missing_scope"
                self._metrics.refused_connections.labels(reason=reason).inc()
                _log.info(
                    "socket_refused",
                    sid=sid,
                    reason=reason,
                    key=identity.label if identity else None,
                )
                raise Refused(UNAUTHORIZED)
            # The identity (label, scopes, digest — never the key) lets each subscribe check
            # the key again against the ring of that moment.
            session = {
                "identity": identity,
                "resumes": ResumeAllowance(self._resumes_per_minute, time.monotonic()),
            }
            await self.save_session(sid, session)
            _log.info("socket_connected", sid=sid, key=identity.label)
        except Refused:
            raise
        except Exception as exc:  # noqa: BLE001 - refused; logged without the payload
            self._metrics.refused_connections.labels(reason="error").inc()
            _log.error("socket_connect_failed", sid=sid, **failure_fields(exc))
            raise Refused(UNAUTHORIZED) from None

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        try:
            self._resumes.forget(sid)
            _log.info("socket_disconnected", sid=sid, reason=str(reason))
        except Exception:  # noqa: BLE001 - the socket is gone either way; logged
            self._metrics.failed_handlers.labels(handler="disconnect").inc()
            _log.exception("socket_handler_failed", handler="disconnect", sid=sid)

    async def on_subscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        try:
            return await self._subscribe(sid, data)
        except Exception:  # noqa: BLE001 - answered and logged; the rooms are as they were
            return self._failed("subscribe", sid)

    async def on_unsubscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        try:
            return await self._unsubscribe(sid, data)
        except Exception:  # noqa: BLE001 - answered and logged
            return self._failed("unsubscribe", sid)

    async def _subscribe(self, sid: str, data: object) -> dict[str, Any]:
        request, error = parse(data)
        if request is None:
            return nack(error)
        room, kind = request.room, room_kind(request.room)
        assert kind is not None  # parse accepts valid room names only
        if request.since_seq is not None and kind is not RoomKind.CALL:
            return nack(RESUME_CALL_ROOMS_ONLY)
        session = await self.get_session(sid)
        identity: KeyIdentity = session["identity"]
        forbidden = refusal(self._keys.recheck(identity), kind)
        if forbidden is not None:
            _log.info("socket_subscribe_forbidden", sid=sid, room=room, key=identity.label)
            return nack(forbidden)
        joined = chosen_rooms(self, sid)
        if room not in joined and len(joined) >= self._max_rooms:
            return nack(f"subscription limit reached ({self._max_rooms} rooms per connection)")
        if request.since_seq is not None:
            allowance: ResumeAllowance = session["resumes"]
            return await self._call_resume.resume(
                sid, room, request.since_seq, room in joined, allowance
            )
        await self.enter_room(sid, room)
        _log.info("socket_subscribed", sid=sid, room=room)
        return ack()

    async def _unsubscribe(self, sid: str, data: object) -> dict[str, Any]:
        request, error = parse(data)
        if request is None or request.since_seq is not None:
            return nack(error or BAD_REQUEST)
        await self.leave_room(sid, request.room)
        if room_kind(request.room) is RoomKind.CALL:
            self._resumes.left(sid, request.room.removeprefix(CALL_PREFIX))
        _log.info("socket_unsubscribed", sid=sid, room=request.room)
        return ack()

    def _failed(self, handler: str, sid: str) -> dict[str, Any]:
        """Log the exception being handled and answer it."""
        self._metrics.failed_handlers.labels(handler=handler).inc()
        _log.exception("socket_handler_failed", handler=handler, sid=sid)
        return nack(INTERNAL_ERROR)
