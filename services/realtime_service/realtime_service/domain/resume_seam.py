"""The seam of a resumed subscription: live messages held back while the backlog is read.

A socket resuming `call:<id>` from `since_seq` must get the stored events after it, then
the live ones, with no gap and no repeat. It is marked as resuming *before* it joins the
room; from then on the live fan-out skips it for that call and holds each message here.
Once the backlog is out, the held messages newer than it are released in order; the step
that finds nothing more to release ends the hold with no await in between, so no live
message slips past.

The backlog is read from the database, which is ahead of the live stream: events
committed before the read may still be on their way through the outbox and Redis. So
after the hold the socket keeps a *floor* (the last seq it got from the resume): live
messages at or below it skip the socket, and the first live message at or above it ends
the seam — per call, the live stream comes in seq order. Pure: `service.call_resume` reads
the database and emits.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Held:
    """A live `call_event` kept for a resuming socket: its seq, payload and rooms."""

    seq: int
    payload: dict[str, Any]
    rooms: tuple[str, ...]


@dataclass
class _Seam:
    held: list[Held] = field(default_factory=list)
    floor: int | None = None
    """None while resuming (live messages are held); then the last seq the resume gave."""


class ResumeRegistry:
    """Per call, the sockets resuming it or still above a floor of it."""

    def __init__(self) -> None:
        self._seams: dict[str, dict[str, _Seam]] = {}
        """call_id → sid → its seam."""

    def seam_count(self) -> int:
        """Seams held, over every call and socket."""
        return sum(len(sockets) for sockets in self._seams.values())

    def begin(self, sid: str, call_id: str) -> bool:
        """Mark `sid` as resuming `call_id`; False while it already is (one at a time)."""
        sockets = self._seams.setdefault(call_id, {})
        current = sockets.get(sid)
        if current is not None and current.floor is None:
            return False
        sockets[sid] = _Seam()
        return True

    def resuming(self, sid: str, call_id: str) -> bool:
        """True while live messages of the call are held for the socket."""
        seam = self._seams.get(call_id, {}).get(sid)
        return seam is not None and seam.floor is None

    def divert(
        self, call_id: str, seq: int, payload: dict[str, Any], rooms: list[str]
    ) -> list[str]:
        """The sockets a live message of `call_id` must skip — in every room, so that a
        socket also in `calls` or a `queue:` room still gets it once: held for the
        resuming ones, already given to those at or above it (whose seam it ends)."""
        sockets = self._seams.get(call_id)
        if not sockets:
            return []
        skip, passed = [], []
        for sid, seam in sockets.items():
            if seam.floor is None:
                seam.held.append(Held(seq, payload, tuple(rooms)))
                skip.append(sid)
                continue
            if seq <= seam.floor:
                skip.append(sid)
            if seq >= seam.floor:
                passed.append(sid)
        for sid in passed:
            self._end(sid, call_id)
        return skip

    def release(self, sid: str, call_id: str, after_seq: int) -> list[Held]:
        """Take what is held for `sid` with seq > `after_seq`, in seq order, once per seq.

        An empty answer ends the hold right here (live messages reach the socket from now
        on), leaving `after_seq` as its floor. Call it again after emitting a non-empty
        answer, with the last seq emitted: more may have arrived meanwhile.
        """
        seam = self._seams.get(call_id, {}).get(sid)
        if seam is None or seam.floor is not None:
            return []
        held, seam.held = seam.held, []
        fresh: dict[int, Held] = {}
        for message in held:
            if message.seq > after_seq:
                fresh.setdefault(message.seq, message)
        if not fresh:
            if after_seq > 0:
                seam.floor = after_seq
            else:  # a floor of 0 would hold nothing back
                self._end(sid, call_id)
        return [fresh[seq] for seq in sorted(fresh)]

    def left(self, sid: str, call_id: str) -> None:
        """The socket left the call's room: drop its floor (a resume in progress goes on)."""
        if self._seams.get(call_id, {}).get(sid) is not None and not self.resuming(sid, call_id):
            self._end(sid, call_id)

    def abandon(self, sid: str, call_id: str) -> None:
        """End a resume that failed midway, dropping what was held for it."""
        if self._seams.get(call_id, {}).get(sid) is not None:
            self._end(sid, call_id)

    def forget(self, sid: str) -> None:
        """Drop every seam of a socket that went away."""
        for call_id in [c for c, sockets in self._seams.items() if sid in sockets]:
            self._end(sid, call_id)

    def _end(self, sid: str, call_id: str) -> None:
        sockets = self._seams[call_id]
        del sockets[sid]
        if not sockets:
            del self._seams[call_id]
