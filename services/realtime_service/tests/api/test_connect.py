"""Connections need a key with calls:read; anything else is refused at connect."""

import pytest
import socketio

from realtime_service.api.app_keys import METRICS_KEY


async def _refusal(url: str, auth: object) -> object:
    """Connect with `auth`, expecting a refusal; the server's connect_error data."""
    client = socketio.AsyncClient(reconnection=False)
    errors: list[object] = []
    client.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert not client.connected
    return errors[0]


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"apiKey": ""},
        {"apiKey": "not-a-configured-key"},
        {"apiKey": 12345},
        {"api_key": "reader-key-0123456789"},
        "reader-key-0123456789",
    ],
)
async def test_missing_or_wrong_key_is_refused_at_connect(realtime, auth):
    assert await _refusal(realtime.url, auth) == {"message": "unauthorized"}


async def test_key_without_calls_read_is_refused(realtime, keys):
    assert await _refusal(realtime.url, {"apiKey": keys.write}) == {"message": "unauthorized"}


async def test_admin_key_may_connect_and_subscribe(realtime, connect, keys):
    listener = await connect(key=keys.admin)

    assert await listener.subscribe("alerts") == {"ok": True}


async def test_connected_sockets_gauge_counts_only_accepted_sockets(
    realtime, connect, keys, eventually
):
    registry = realtime.app[METRICS_KEY].registry

    def gauge() -> float | None:
        return registry.get_sample_value("realtime_connected_sockets")

    await _refusal(realtime.url, {"apiKey": keys.write})
    listener = await connect()
    assert gauge() == 1

    await listener.client.disconnect()

    await eventually(lambda: gauge() == 0)


async def test_refusal_never_logs_the_presented_key(realtime, capsys):
    await _refusal(realtime.url, {"apiKey": "secret-wrong-key-value"})

    assert "secret-wrong-key-value" not in capsys.readouterr().out


async def test_accepted_connection_never_logs_the_key(realtime, connect, keys, capsys):
    await connect()

    output = capsys.readouterr().out
    assert "socket_connected" in output
    assert keys.read not in output
