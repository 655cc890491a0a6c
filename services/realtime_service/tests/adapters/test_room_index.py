"""RoomIndexedClientManager: the same rooms as python-socketio's manager, without its full scans."""

import random
import time
from typing import Any

import socketio
from engineio import packet as eio_packet

from realtime_service.adapters.room_index import RoomIndexedClientManager

NS = "/"


class FakeServer:
    """What a manager uses of its server: packet class, ids, Engine.IO sends."""

    packet_class = socketio.packet.Packet

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.eio = self
        self._ids = iter(range(10**9))

    def generate_id(self) -> str:
        return f"sid-{next(self._ids)}"

    async def send_packet(self, eio_sid: str, pkt: eio_packet.Packet) -> None:
        self.sent.append((eio_sid, pkt.encode()))

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        self.sent.append((eio_sid, "4" + pkt.encode()))


def _manager(kind: type) -> Any:
    manager = kind()
    manager.set_server(FakeServer())
    return manager


async def _connect(manager: Any, eio_sid: str) -> str:
    sid: str = await manager.connect(eio_sid, NS)
    return sid


def _members(manager: Any) -> dict[Any, set[str]]:
    """Each room but the sockets' own: the eio sids in it (the two managers share those)."""
    rooms = manager.rooms.get(NS, {})
    own = set(rooms.get(None, {}))
    return {room: set(members.values()) for room, members in rooms.items() if room not in own}


async def test_random_joins_leaves_and_disconnects_leave_the_same_rooms_as_socketio() -> None:
    rng = random.Random(6)
    ours, theirs = _manager(RoomIndexedClientManager), _manager(socketio.AsyncManager)
    sids: dict[str, tuple[str, str]] = {}  # eio_sid -> (our sid, their sid)
    rooms = ["calls", "alerts", "call:a", "call:b", "queue:q"]
    for step in range(3000):
        action = rng.random()
        if action < 0.25 or not sids:
            eio_sid = f"eio-{step}"
            sids[eio_sid] = (await _connect(ours, eio_sid), await _connect(theirs, eio_sid))
        elif action < 0.6:
            mine, other = sids[rng.choice(list(sids))]
            room = rng.choice(rooms)
            await ours.enter_room(mine, NS, room)
            await theirs.enter_room(other, NS, room)
        elif action < 0.85:
            mine, other = sids[rng.choice(list(sids))]
            room = rng.choice(rooms)
            await ours.leave_room(mine, NS, room)
            await theirs.leave_room(other, NS, room)
        elif action < 0.9:
            room = rng.choice(rooms)
            await ours.close_room(room, NS)
            await theirs.close_room(room, NS)
        else:
            eio_sid = rng.choice(list(sids))
            mine, other = sids.pop(eio_sid)
            ours.pre_disconnect(mine, NS)
            theirs.pre_disconnect(other, NS)
            await ours.disconnect(mine, NS)
            await theirs.disconnect(other, NS)
        if step % 100 == 0 or step == 2999:
            for mine, other in sids.values():
                our_rooms, their_rooms = ours.get_rooms(mine, NS), theirs.get_rooms(other, NS)
                assert set(our_rooms) - {mine} == set(their_rooms) - {other}
                assert (mine in our_rooms) == (other in their_rooms)
    assert _members(ours) == _members(theirs)
    assert ours.pending_disconnect == theirs.pending_disconnect == {}


async def test_disconnecting_many_sockets_does_not_scan_every_room() -> None:
    manager = _manager(RoomIndexedClientManager)
    sids = [await _connect(manager, f"eio-{i}") for i in range(20_000)]
    for sid in sids:
        await manager.enter_room(sid, NS, "calls")

    began = time.perf_counter()
    for sid in sids:
        manager.pre_disconnect(sid, NS)
        await manager.disconnect(sid, NS)
    elapsed = time.perf_counter() - began

    assert manager.rooms == {}
    assert manager._joined == {}
    # socketio.AsyncManager copies the namespace's 20,000 rooms per disconnect: minutes.
    assert elapsed < 2.0


async def test_one_emit_reaches_each_socket_once_and_skips_who_it_is_told_to() -> None:
    manager = _manager(RoomIndexedClientManager)
    a, b, c = [await _connect(manager, eio) for eio in ("eio-a", "eio-b", "eio-c")]
    for sid, rooms in ((a, ["calls", "call:1"]), (b, ["calls"]), (c, ["call:1"])):
        for room in rooms:
            await manager.enter_room(sid, NS, room)

    await manager.emit("call_event", {"n": 1}, NS, to=["call:1", "calls"], skip_sid=c)

    sent = manager.server.sent
    assert sorted(eio for eio, _ in sent) == ["eio-a", "eio-b"]
    assert {text for _, text in sent} == {'42["call_event",{"n":1}]'}


async def test_an_emit_to_nobody_or_an_unknown_namespace_sends_nothing() -> None:
    manager = _manager(RoomIndexedClientManager)
    await manager.emit("call_event", {}, "/other", to="calls")
    sid = await _connect(manager, "eio-a")
    await manager.emit("call_event", {}, NS, to="call:none")
    await manager.emit("call_event", {}, NS, to="calls", skip_sid=[sid])
    assert manager.server.sent == []


async def test_an_emit_with_a_callback_takes_socketios_own_path() -> None:
    manager = _manager(RoomIndexedClientManager)
    await _connect(manager, "eio-a")
    await manager.emit("ping", None, NS, callback=lambda *_: None)
    assert [eio for eio, _ in manager.server.sent] == ["eio-a"]
    assert manager.server.sent[0][1].startswith("421")  # an ack id: one packet per recipient
