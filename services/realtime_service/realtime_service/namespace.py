"""The `/` Socket.io namespace: key check at connect and at each subscribe, rooms, resume.

A connection without a `calls:read` key is refused before it can join anything;
after that a client chooses its rooms with `subscribe` / `unsubscribe`, each
answered by an ack. Each subscribe checks the connection's key again against the
current key ring and the scope its room needs (`access.ROOM_SCOPES`). A subscribe to
`call:<id>` with `since_seq` first replays the stored events after it (see `resume`
for the seam). The key itself is never logged, only its non-secret label.
"""

from typing import Any

import socketio
import structlog
from pydantic import ValidationError

from contracts.enums import Scope
from contracts.realtime import Ack, SubscribeRequest
from realtime_service.access import refusal
from realtime_service.backlog import MAX_EVENTS, BacklogUnavailable, PostgresBacklog
from realtime_service.fanout import CALL_EVENT
from realtime_service.metrics import RealtimeMetrics
from realtime_service.resume import ResumeRegistry
from realtime_service.rooms import CALL_PREFIX, RoomKind, room_error, room_kind
from service_kit.api_keys import ApiKeyRing, KeyIdentity

DEFAULT_MAX_ROOMS = 100
UNAUTHORIZED = "unauthorized"
BAD_REQUEST = 'expected {"room": "<room name>"} or {"room": "call:<id>", "since_seq": <int ≥ 0>}'
RESUME_CALL_ROOMS_ONLY = (
    "since_seq is only for call:<id> rooms; calls and queue: rooms resync from the REST API"
    " (subscribe without since_seq, then GET /api/calls and merge by seq)"
)
RESYNC = "subscribe without since_seq and resync from the REST API"
RESUME_NO_DATABASE = f"resume unavailable: this realtime process has no database; {RESYNC}"
RESUME_DOWN = f"resume unavailable: the database cannot be read now; {RESYNC}"
RESUME_TOO_FAR = f"resume unavailable: more than {MAX_EVENTS} events after since_seq; {RESYNC}"
RESUME_IN_PROGRESS = "resume unavailable: a resume of this room is already in progress"

_log = structlog.get_logger(__name__)


class RealtimeNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self,
        keys: ApiKeyRing,
        metrics: RealtimeMetrics,
        resumes: ResumeRegistry | None = None,
        backlog: PostgresBacklog | None = None,
        max_rooms: int = DEFAULT_MAX_ROOMS,
    ) -> None:
        super().__init__("/")
        self._keys = keys
        self._metrics = metrics
        self._resumes = resumes or ResumeRegistry()
        self._backlog = backlog
        self._max_rooms = max_rooms

    def replace_keys(self, keys: ApiKeyRing) -> None:
        """Use another key ring (a rotation): open connections are held to it from their
        next subscribe on; new connections at connect."""
        self._keys = keys

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
        # The identity (label, scopes, digest — never the key) lets each subscribe check
        # the key again against the ring of that moment.
        await self.save_session(sid, {"identity": identity})
        self._metrics.connected_sockets.inc()
        _log.info("socket_connected", sid=sid, key=identity.label)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        self._resumes.forget(sid)
        self._metrics.connected_sockets.dec()
        _log.info("socket_disconnected", sid=sid, reason=str(reason))

    async def on_subscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        request, error = _parse(data)
        if request is None:
            return _nack(error)
        room, kind = request.room, room_kind(request.room)
        assert kind is not None  # _parse accepts valid room names only
        if request.since_seq is not None and kind is not RoomKind.CALL:
            return _nack(RESUME_CALL_ROOMS_ONLY)
        identity: KeyIdentity = (await self.get_session(sid))["identity"]
        forbidden = refusal(self._keys.recheck(identity), kind)
        if forbidden is not None:
            _log.info("socket_subscribe_forbidden", sid=sid, room=room, key=identity.label)
            return _nack(forbidden)
        joined = self._joined(sid)
        if room not in joined and len(joined) >= self._max_rooms:
            return _nack(f"subscription limit reached ({self._max_rooms} rooms per connection)")
        if request.since_seq is not None:
            return await self._resume(sid, room, request.since_seq, room in joined)
        await self.enter_room(sid, room)
        _log.info("socket_subscribed", sid=sid, room=room)
        return _ack()

    async def on_unsubscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        request, error = _parse(data)
        if request is None or request.since_seq is not None:
            return _nack(error or BAD_REQUEST)
        await self.leave_room(sid, request.room)
        if room_kind(request.room) is RoomKind.CALL:
            self._resumes.left(sid, request.room.removeprefix(CALL_PREFIX))
        _log.info("socket_unsubscribed", sid=sid, room=request.room)
        return _ack()

    async def _resume(self, sid: str, room: str, since_seq: int, member: bool) -> dict[str, Any]:
        """Join `room` and replay the call's stored events after `since_seq`, then its live
        ones. Marked as resuming before joining, so every live message from the join on is
        held until the backlog is out. On failure the socket is left as it was (in the room
        only if it already was) and gets what its other rooms would have given it."""
        call_id = room.removeprefix(CALL_PREFIX)
        if self._backlog is None:
            return self._resume_refused(sid, room, "no_database", RESUME_NO_DATABASE)
        if not self._resumes.begin(sid, call_id):
            return self._resume_refused(sid, room, "in_progress", RESUME_IN_PROGRESS)
        why = None
        try:
            await self.enter_room(sid, room)
            backlog = await self._backlog.read(call_id, since_seq)
        except BacklogUnavailable as exc:
            backlog, why = None, str(exc)
        except BaseException:
            self._resumes.abandon(sid, call_id)  # never leave live messages held for ever
            raise
        if backlog is None or not backlog.complete:
            if not member:
                await self.leave_room(sid, room)
            await self._release(sid, call_id, after_seq=0)
            if backlog is None:
                return self._resume_refused(sid, room, "unavailable", RESUME_DOWN, error=why)
            return self._resume_refused(sid, room, "too_far", RESUME_TOO_FAR)
        for payload in backlog.messages:
            await self.emit(CALL_EVENT, payload, to=sid)
        held = await self._release(sid, call_id, after_seq=backlog.last_seq)
        self._metrics.resumes.labels(outcome="ok").inc()
        self._metrics.resumed_events.inc(len(backlog.messages))
        _log.info(
            "socket_resumed",
            sid=sid,
            room=room,
            since_seq=since_seq,
            resumed=len(backlog.messages),
            last_seq=backlog.last_seq,
            held=held,
        )
        return _ack(resumed=len(backlog.messages))

    async def _release(self, sid: str, call_id: str, after_seq: int) -> int:
        """Emit the held live messages newer than `after_seq` until none is left (the
        registry ends the resume in the same step that finds nothing more); how many."""
        emitted = 0
        while held := self._resumes.release(sid, call_id, after_seq):
            joined = self._joined(sid)
            for message in held:
                if not joined.isdisjoint(message.rooms):
                    await self.emit(CALL_EVENT, message.payload, to=sid)
                    emitted += 1
                after_seq = message.seq
        return emitted

    def _resume_refused(
        self, sid: str, room: str, outcome: str, message: str, error: str | None = None
    ) -> dict[str, Any]:
        self._metrics.resumes.labels(outcome=outcome).inc()
        _log.info("socket_resume_refused", sid=sid, room=room, outcome=outcome, error=error)
        return _nack(message)

    def _joined(self, sid: str) -> set[str]:
        """Rooms the socket chose; the server also keeps every socket in its own sid room."""
        return {room for room in self.rooms(sid) if room != sid}


def _parse(data: object) -> tuple[SubscribeRequest | None, str]:
    try:
        request = SubscribeRequest.model_validate(data)
    except ValidationError:
        return None, BAD_REQUEST
    error = room_error(request.room)
    if error is not None:
        return None, error
    return request, ""


def _ack(resumed: int | None = None) -> dict[str, Any]:
    return Ack(ok=True, resumed=resumed).model_dump(exclude_none=True)


def _nack(error: str) -> dict[str, Any]:
    return Ack(ok=False, error=error).model_dump(exclude_none=True)
