"""Socket `auth` of any JSON shape and size is refused at connect, and the transport closed.

Each payload goes out as the raw CONNECT packet (`40` + the text), as a hostile client would
send it. The server answers the refusal (or, for a packet it cannot decode, nothing) and
closes the transport by the auth deadline; afterwards no per-connection table holds anything.
"""

import json
import logging

import pytest
import socketio

from realtime_service.api.app_keys import AUTH_DEADLINE_KEY, METRICS_KEY, NAMESPACE_KEY, SIO_KEY
from service_kit.api_keys import ApiKeyRing, KeyIdentity, parse_api_keys

READ_KEY = "reader-key-0123456789"
REFUSAL = "44" + json.dumps({"message": "unauthorized"}, separators=(",", ":"))
DEEP = "[" * 30_000 + "]" * 30_000  # deeper than the interpreter's recursion limit
NESTED = '{"apiKey": ' * 300 + "null" + "}" * 300

ODD_AUTH = {
    "absent": "",
    "null": "null",
    "empty list": "[]",
    "list": '[1, "two", null, {"apiKey": "x"}]',
    "the key as a bare string": json.dumps(READ_KEY),
    "negative number": "-7",
    "true": "true",
    "empty object": "{}",
    "null key": '{"apiKey": null}',
    "number key": '{"apiKey": 7}',
    "list key": json.dumps({"apiKey": [READ_KEY]}),
    "object key": json.dumps({"apiKey": {"apiKey": READ_KEY}}),
    "lone high surrogate": '{"apiKey": "\\ud800"}',
    "lone low surrogate after the key": '{"apiKey": "' + READ_KEY + '\\udfff"}',
    "NUL after the key": '{"apiKey": "' + READ_KEY + '\\u0000"}',
    "control characters": '{"apiKey": "\\u0000\\u0001\\u001b\\u007f\\n"}',
    "60 KB key": json.dumps({"apiKey": "k" * 60_000}),
    "20,000 element list": json.dumps({"apiKey": [0] * 20_000}),
    "nested 300 deep": NESTED,
    "nested past the recursion limit": DEEP,
    "truncated JSON": '{"apiKey": ',
    "larger than a packet may be": json.dumps({"apiKey": "k" * 70_000}),
}


@pytest.mark.parametrize("payload", ODD_AUTH.values(), ids=ODD_AUTH.keys())
async def test_odd_auth_is_refused_and_the_transport_closed_by_the_deadline(
    strict, raw, leftovers, eventually, caplog, closed_within, payload
):
    socket = await raw(strict.url)

    await socket.send("40" + payload)

    frames = await socket.frames_until_closed(closed_within)
    socket_io_answers = [frame for frame in frames if frame.startswith("4")]
    assert socket_io_answers in ([], [REFUSAL])
    await eventually(lambda: not leftovers(strict.app))
    assert strict.app[METRICS_KEY].registry.get_sample_value("realtime_connected_sockets") == 0
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_lone_surrogate_key_is_refused_like_a_wrong_key(strict, raw, closed_within):
    socket = await raw(strict.url)

    await socket.send('40{"apiKey": "\\ud800"}')

    assert await socket.next_frame() == REFUSAL
    await socket.frames_until_closed(closed_within)
    refused = strict.app[METRICS_KEY].refused_connections
    assert refused.labels(reason="no_key")._value.get() == 1


async def test_refused_attempts_on_one_transport_leave_it_to_the_deadline(
    strict, raw, closed_within
):
    socket = await raw(strict.url)

    for payload in ('{"apiKey": "wrong"}', '{"apiKey": "\\ud800"}', "[]"):
        await socket.send("40" + payload)
        assert await socket.next_frame() == REFUSAL

    await socket.frames_until_closed(closed_within)


class FailingKeyRing(ApiKeyRing):
    """A key ring whose checks raise, with the presented key in the message."""

    def identify(self, presented: str | None) -> KeyIdentity | None:
        raise RuntimeError(f"cannot check {presented}")

    def recheck(self, identity: KeyIdentity) -> KeyIdentity | None:
        raise RuntimeError(f"cannot recheck {identity.label}")


async def test_a_connect_that_fails_is_refused_closed_and_forgotten(
    strict, raw, leftovers, eventually, capsys, closed_within
):
    strict.app[NAMESPACE_KEY].replace_keys(FailingKeyRing([]))
    socket = await raw(strict.url)

    await socket.send("40" + json.dumps({"apiKey": READ_KEY}))

    assert await socket.next_frame() == REFUSAL
    await socket.frames_until_closed(closed_within)
    await eventually(lambda: not leftovers(strict.app))
    refused = strict.app[METRICS_KEY].refused_connections
    assert refused.labels(reason="error")._value.get() == 1
    output = capsys.readouterr().out
    assert "socket_connect_failed" in output
    assert READ_KEY not in output


async def test_a_subscribe_that_fails_is_answered_and_joins_nothing(strict, connect, keys):
    listener = await connect(url=strict.url)
    namespace = strict.app[NAMESPACE_KEY]
    namespace.replace_keys(FailingKeyRing([]))

    ack = await listener.subscribe("calls")

    assert ack == {"ok": False, "error": "internal error, retry later"}
    sid = listener.client.get_sid()
    assert namespace.rooms(sid) == [sid]
    assert strict.app[METRICS_KEY].failed_handlers.labels(handler="subscribe")._value.get() == 1
    namespace.replace_keys(parse_api_keys(f"{keys.read}:calls:read"))
    assert await listener.subscribe("calls") == {"ok": True}  # the socket still works


async def test_deadline_entries_go_with_their_sessions(strict, raw, eventually):
    deadline = strict.app[AUTH_DEADLINE_KEY]
    sockets = [await raw(strict.url) for _ in range(3)]
    assert deadline.pending_count() == 3

    for socket in sockets:
        await socket.ws.close()

    await eventually(lambda: deadline.pending_count() == 0 and not strict.app[SIO_KEY].eio.sockets)


class RaisingNamespace(socketio.AsyncNamespace):
    """A namespace whose connect handler fails: what the packet guard catches."""

    async def on_connect(self, sid, environ, auth=None):
        raise RuntimeError("connect handler failed")


async def test_a_connect_handler_that_raises_closes_the_session_and_leaves_nothing(
    realtime, raw, leftovers, eventually, caplog
):
    realtime.app[SIO_KEY].register_namespace(RaisingNamespace("/raising"))
    socket = await raw(realtime.url)

    await socket.send("40/raising,{}")

    await socket.frames_until_closed(2.0)  # at once: the default deadline is 10 s
    await eventually(lambda: not leftovers(realtime.app))
    assert realtime.app[METRICS_KEY].refused_packets._value.get() == 1
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
