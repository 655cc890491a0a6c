"""Only `subscribe` and `unsubscribe` may come from a client; lifecycle handlers never do.

python-socketio routes a client event by its name: without `event_routing`, a connected
client emitting `disconnect` would run the disconnect handler on its live socket, and
`connect` would replace its session (and its resume allowance).
"""

import gc
import json
import logging

from realtime_service.api.app_keys import METRICS_KEY, NAMESPACE_KEY
from realtime_service.domain.acks import BAD_REQUEST

IMPERSONATIONS = (
    '421["disconnect"]',
    '422["disconnect", "client disconnect"]',
    '423["connect", {}, {"apiKey": "reader-key-0123456789"}]',
    '424["connect"]',
)
ODD_EVENTS = ('425["subscribe", {"room": "calls"}, "extra"]', '426[{"a": 1}]', "427[7]")


async def test_a_client_cannot_run_the_lifecycle_handlers(realtime, raw, keys, caplog):
    socket = await raw(realtime.url)
    await socket.authenticate(keys.read, rooms=("calls",))
    metrics = realtime.app[METRICS_KEY]

    for frame in IMPERSONATIONS:
        await socket.send(frame)
    await socket.send('429["subscribe", {"room": "alerts"}]')  # answered after the others

    assert await socket.next_frame() == "439" + json.dumps([{"ok": True}]).replace(" ", "")
    assert metrics.refused_events._value.get() == len(IMPERSONATIONS)
    assert metrics.registry.get_sample_value("realtime_connected_sockets") == 1
    (sid,) = [s for s in realtime.app[NAMESPACE_KEY].server.manager.rooms["/"][None]]
    assert sorted(realtime.app[NAMESPACE_KEY].rooms(sid)) == sorted([sid, "calls", "alerts"])
    gc.collect()  # a task that failed unread would be reported now
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_odd_events_are_ignored_or_refused_without_failing(realtime, raw, keys, caplog):
    socket = await raw(realtime.url)
    await socket.authenticate(keys.read)

    for frame in ODD_EVENTS:
        await socket.send(frame)

    nack = json.dumps([{"ok": False, "error": BAD_REQUEST}], separators=(",", ":"))
    assert json.loads((await socket.next_frame()).removeprefix("435")) == json.loads(nack)
    await socket.send('42["subscribe", {"room": "calls"}]')  # no ack id: nothing comes back
    await socket.send("4210" + json.dumps(["subscribe", {"room": "alerts"}]))
    assert json.loads((await socket.next_frame()).removeprefix("4310")) == [{"ok": True}]
    gc.collect()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
