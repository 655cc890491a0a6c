"""A subscribe to `call:<id>` with `since_seq`: the stored events after it, then live ones.

The socket is marked as resuming (`domain.resume_seam`) before it joins the room, so the
live fan-out holds that call's messages for it while the backlog is read from the database
(a `ports.BacklogSource`); then the backlog is emitted, then what was held, and the hold
ends in the step that finds nothing more. Each resume spends one of the socket's
`ResumeAllowance`; on any refusal or failure the socket is left as it was (in the room only
if it already was).
"""

import time
from typing import Any

import structlog

from realtime_service.domain.acks import (
    RESUME_DOWN,
    RESUME_IN_PROGRESS,
    RESUME_NO_DATABASE,
    RESUME_RATE_LIMITED,
    RESUME_TOO_FAR,
    ack,
    nack,
)
from realtime_service.domain.fanout import CALL_EVENT
from realtime_service.domain.resume_allowance import ResumeAllowance
from realtime_service.domain.resume_seam import ResumeRegistry
from realtime_service.domain.rooms import CALL_PREFIX
from realtime_service.service.ports import (
    BacklogSource,
    BacklogUnavailable,
    ResumeCounters,
    SocketRooms,
)

_log = structlog.get_logger(__name__)


def chosen_rooms(namespace: SocketRooms, sid: str) -> set[str]:
    """Rooms the socket chose; the server also keeps every socket in its own sid room."""
    return {room for room in namespace.rooms(sid) if room != sid}


class CallRoomResume:
    def __init__(
        self,
        namespace: SocketRooms,
        resumes: ResumeRegistry,
        backlog: BacklogSource | None,
        metrics: ResumeCounters,
    ) -> None:
        self._namespace = namespace
        self._resumes = resumes
        self._backlog = backlog
        self._metrics = metrics

    async def resume(
        self, sid: str, room: str, since_seq: int, member: bool, allowance: ResumeAllowance
    ) -> dict[str, Any]:
        """Join `room` and replay the call's stored events after `since_seq`, then its live
        ones; the ack. `member`: whether the socket was in the room already."""
        call_id, backlog = room.removeprefix(CALL_PREFIX), self._backlog
        if backlog is None:
            return self._refused(sid, room, "no_database", RESUME_NO_DATABASE)
        if not allowance.take(time.monotonic()):
            return self._refused(sid, room, "rate_limited", RESUME_RATE_LIMITED)
        if not self._resumes.begin(sid, call_id):
            return self._refused(sid, room, "in_progress", RESUME_IN_PROGRESS)
        try:
            return await self._replay(sid, room, call_id, since_seq, member, backlog)
        except BaseException:
            self._resumes.abandon(sid, call_id)  # never leave live messages held for ever
            if not member:
                await self._namespace.leave_room(sid, room)
            raise

    async def _replay(
        self,
        sid: str,
        room: str,
        call_id: str,
        since_seq: int,
        member: bool,
        source: BacklogSource,
    ) -> dict[str, Any]:
        why, backlog = None, None
        await self._namespace.enter_room(sid, room)
        try:
            backlog = await source.read(call_id, since_seq)
        except BacklogUnavailable as exc:
            why = str(exc)
        if backlog is None or not backlog.complete:
            if not member:
                await self._namespace.leave_room(sid, room)
            await self._release(sid, call_id, after_seq=0)
            if backlog is None:
                return self._refused(sid, room, "unavailable", RESUME_DOWN, error=why)
            return self._refused(sid, room, "too_far", RESUME_TOO_FAR)
        for payload in backlog.messages:
            await self._namespace.emit(CALL_EVENT, payload, to=sid)
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
        return ack(resumed=len(backlog.messages))

    async def _release(self, sid: str, call_id: str, after_seq: int) -> int:
        """Emit the held live messages newer than `after_seq` until none is left (the
        registry ends the resume in the same step that finds nothing more); how many."""
        emitted = 0
        while held := self._resumes.release(sid, call_id, after_seq):
            joined = chosen_rooms(self._namespace, sid)
            for message in held:
                if not joined.isdisjoint(message.rooms):
                    await self._namespace.emit(CALL_EVENT, message.payload, to=sid)
                    emitted += 1
                after_seq = message.seq
        return emitted

    def _refused(
        self, sid: str, room: str, outcome: str, message: str, error: str | None = None
    ) -> dict[str, Any]:
        self._metrics.resumes.labels(outcome=outcome).inc()
        _log.info("socket_resume_refused", sid=sid, room=room, outcome=outcome, error=error)
        return nack(message)
