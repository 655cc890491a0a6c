"""A socket whose outgoing queue reaches its cap — a client that does not read — is dropped.

The slow consumer is a raw websocket that authenticates, joins `alerts` and then never
reads again: once the kernel's buffers are full the server's writer for it stalls, and
its queue grows until the cap. A reading client in the same room is not affected.
"""

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import aiohttp
import pytest
from engineio import packet as eio_packet

from contracts.realtime import AlertEnvelope, AlertMessage
from realtime_service.adapters.send_queue import BoundedSendQueue
from realtime_service.api.app_keys import METRICS_KEY, SIO_KEY

CAP = 20
DETAIL = "d" * 32_000
"""Big alerts fill the slow client's TCP buffers in a few hundred messages."""


@pytest.fixture
async def capped(start, settings):
    return await start(dataclasses.replace(settings, max_queued_messages=CAP))


def _alert(alert_id: str) -> AlertEnvelope:
    return AlertEnvelope(
        message=AlertMessage(
            id=alert_id,
            kind="sla_breached",
            call_id=None,
            queue_id="q-main",
            agent_id=None,
            at=datetime.now(UTC),
            detail=DETAIL,
        )
    )


async def test_a_socket_that_stops_reading_is_disconnected_at_the_cap(
    capped, raw, connect, keys, eventually
):
    overflows = capped.app[METRICS_KEY].send_queue_overflows
    slow = await raw(capped.url)
    await slow.authenticate(keys.read, rooms=("alerts",))
    reader = await connect(url=capped.url)
    assert await reader.subscribe("alerts") == {"ok": True}
    sockets = capped.app[SIO_KEY].eio.sockets
    assert slow.eio_sid in sockets

    loop = asyncio.get_running_loop()
    end = loop.time() + 30
    while overflows._value.get() == 0:
        assert loop.time() < end, "the slow socket was never disconnected"
        for _ in range(5):  # a few at a time: a reading client's queue stays short
            await capped.publish(_alert(uuid.uuid4().hex))
        await asyncio.sleep(0.02)

    await eventually(lambda: slow.eio_sid not in sockets)
    assert overflows._value.get() == 1
    assert reader.client.connected
    await capped.publish(_alert("after-the-drop"))
    while (await reader.next())[1]["id"] != "after-the-drop":
        pass
    async with aiohttp.ClientSession() as session, session.get(f"{capped.url}/metrics") as r:
        assert "realtime_send_queue_overflows_total 1.0" in await r.text()


async def test_a_message_beyond_the_cap_drops_the_socket_and_everything_it_held(
    capped, raw, keys, leftovers, eventually
):
    socket = await raw(capped.url)
    await socket.authenticate(keys.read, rooms=("calls",))
    eio = capped.app[SIO_KEY].eio
    queue = eio.sockets[socket.eio_sid].queue
    for _ in range(CAP - queue.qsize()):  # no await in between: the writer cannot drain it
        queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "filler"))

    queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "one too many"))

    overflows = capped.app[METRICS_KEY].send_queue_overflows
    await eventually(lambda: overflows._value.get() == 1)
    frames = await socket.frames_until_closed(5)
    assert "one too many" not in "".join(frames)
    await eventually(lambda: not leftovers(capped.app))


def test_the_queue_overflows_once_past_its_cap_and_still_takes_control_packets():
    overflowed: list[BoundedSendQueue] = []
    queue = BoundedSendQueue(max_messages=2, on_overflow=overflowed.append)
    for _ in range(2):
        queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "m"))

    queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "one too many"))
    queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "and another"))

    assert overflowed == [queue]
    assert queue.qsize() == 2
    for control in (eio_packet.PING, eio_packet.CLOSE, eio_packet.NOOP):
        queue.put_nowait(eio_packet.Packet(control))
    queue.put_nowait(None)  # the writer's stop
    assert queue.qsize() == 6
