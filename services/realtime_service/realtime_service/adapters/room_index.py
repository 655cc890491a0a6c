"""python-socketio's in-process client manager, with an index from each socket to its rooms.

`socketio.AsyncManager` keeps `rooms[namespace][room] = {sid: eio_sid}` and nothing the other
way round, so finding a socket's rooms scans every room of the namespace — and every socket
has a room of its own. With 10,000 sockets each disconnect (which copies that table) and each
subscribe (which lists the socket's rooms to check its limit) cost ~10,000 steps: connecting
10,000 sockets took 18 to 62 s at 70 to 85 % of a core (7 s with this manager), and closing
them took up to the 10 s a process is given before it is killed (0.2 s).
`RoomIndexedClientManager` keeps, per socket, the rooms it chose (its own sid room and the
namespace's `None` room are implied), so both are proportional to the socket's few rooms. It
is installed through `AsyncServer(client_manager=…)`, python-socketio's option for a client
manager of one's own; the methods overridden are the manager's public ones (the ones its
Redis and Kafka managers build on).

One emit also no longer starts one asyncio task per recipient: the packet is encoded once (as
before) and handed to each recipient's Engine.IO queue in turn, which never waits (each
socket's own writer task sends; a socket whose queue reaches its cap is dropped instead:
`send_queue`). Emits with a callback (never used here) keep the base class's path.
"""

from collections.abc import Iterable
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet


class RoomIndexedClientManager(socketio.AsyncManager):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self._joined: dict[str, dict[str, tuple[str, ...]]] = {}
        """namespace → sid → the rooms it is in besides its own and the namespace's `None`
        (a tuple: a socket is in a few rooms, and a tuple of one is a quarter of a set's size)."""

    def basic_enter_room(
        self, sid: str, namespace: str, room: str | None, eio_sid: str | None = None
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if room is not None and room != sid:
            joined = self._joined.setdefault(namespace, {})
            rooms = joined.get(sid, ())
            if room not in rooms:
                joined[sid] = (*rooms, room)

    def basic_leave_room(self, sid: str, namespace: str, room: str | None) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._joined.get(namespace, {}).get(sid, ())
        if room in rooms:
            left = tuple(r for r in rooms if r != room)
            if left:
                self._joined[namespace][sid] = left
            else:
                self._forget(sid, namespace)

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """As the base class's, without scanning every room of the namespace."""
        if namespace not in self.rooms:
            return
        for room in (*self._joined.get(namespace, {}).get(sid, ()), sid, None):
            self.basic_leave_room(sid, namespace, room)
        self._forget(sid, namespace)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            sids = pending.get(namespace)
            if sids is not None and sid in sids:
                sids.remove(sid)
                if not sids:
                    del pending[namespace]

    def indexed_sockets(self) -> int:
        """Sockets in the room index, in every namespace (for `connection_census`)."""
        return sum(len(joined) for joined in self._joined.values())

    def get_rooms(self, sid: str, namespace: str) -> list[str]:
        """The rooms `sid` is in, its own sid room included (as the base class answers)."""
        rooms = self.rooms.get(namespace, {})
        own = [sid] if sid in rooms.get(sid, ()) else []
        return own + sorted(self._joined.get(namespace, {}).get(sid, ()))

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: str | list[str] | None = None,
        skip_sid: str | list[str] | None = None,
        callback: Any = None,
        to: str | list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to
            )
            return
        if namespace not in self.rooms:
            return
        # As python-socketio: a tuple is several arguments, None none, anything else one.
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        # A packet with binary attachments encodes to several Engine.IO messages.
        messages = [
            eio_packet.Packet(eio_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        skip = _as_set(skip_sid)
        eio = self.server.eio
        for sid, eio_sid in list(self.get_participants(namespace, to or room)):
            if sid not in skip:
                for message in messages:
                    await eio.send_packet(eio_sid, message)

    def _forget(self, sid: str, namespace: str) -> None:
        joined = self._joined.get(namespace)
        if joined is not None:
            joined.pop(sid, None)
            if not joined:
                del self._joined[namespace]


def _as_set(sids: str | Iterable[str] | None) -> set[str | None]:
    if sids is None or isinstance(sids, str):
        return {sids}
    return set(sids)
