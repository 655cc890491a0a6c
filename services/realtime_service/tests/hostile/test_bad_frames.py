"""Frames and packets the server cannot decode close their session at once, leaving nothing.

These run against the default app (auth deadline 10 s): a close within 2 s is the server
refusing the frame, not the deadline.
"""

import json
import logging

import pytest

from realtime_service.adapters.engineio_transport import frame_error
from realtime_service.api.app_keys import METRICS_KEY

PROMPTLY_S = 2.0
DEEP = "[" * 30_000 + "]" * 30_000

BAD_FRAMES = {
    "empty": "",
    "not a packet type": "x",
    "unknown packet type": "9",
    "base64 over a websocket": "b!!!not base64",
    "engine.io message that is no socket.io packet": "4x",
    "nested JSON message past the recursion limit": "4" + DEEP,
    "nested JSON ping past the recursion limit": "2" + DEEP,
    "socket.io packet of unknown type": "49",
    "empty socket.io packet": "4",
    "socket.io event without a name": "42[]",
    "nested socket.io event past the recursion limit": "42" + DEEP,
}


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
async def test_a_frame_that_cannot_be_decoded_closes_its_session_at_once(
    realtime, raw, leftovers, eventually, caplog, frame
):
    socket = await raw(realtime.url)

    await socket.send(frame)

    await socket.frames_until_closed(PROMPTLY_S)
    await eventually(lambda: not leftovers(realtime.app))
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_bad_packet_from_an_authenticated_socket_closes_it_and_its_rooms(
    realtime, raw, keys, leftovers, eventually
):
    socket = await raw(realtime.url)
    await socket.authenticate(keys.read, rooms=("calls", "alerts"))

    await socket.ws.send_bytes(b"\x00\xffnot an attachment")

    await socket.frames_until_closed(PROMPTLY_S)
    await eventually(lambda: not leftovers(realtime.app))
    assert realtime.app[METRICS_KEY].refused_packets._value.get() == 1
    assert realtime.app[METRICS_KEY].registry.get_sample_value("realtime_connected_sockets") == 0


@pytest.mark.parametrize(
    "frame",
    ["2", "3", "2probe", "3probe", "5", "6", "1", "40", "40" + json.dumps({"apiKey": "k"}), "41"],
)
def test_every_frame_an_engine_io_v4_client_sends_passes(frame):
    assert frame_error(frame) is None
