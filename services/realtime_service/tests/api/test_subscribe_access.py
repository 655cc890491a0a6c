"""Each subscribe checks the connection's key again: against the current ring, per room kind."""

from realtime_service.api.app_keys import NAMESPACE_KEY
from realtime_service.domain.access import KEY_REVOKED
from service_kit.api_keys import parse_api_keys


async def test_subscribe_after_the_key_left_the_ring_is_forbidden(realtime, connect, keys):
    listener = await connect(keys.read)
    assert await listener.subscribe("calls") == {"ok": True}

    realtime.app[NAMESPACE_KEY].replace_keys(parse_api_keys(f"{keys.admin}:admin"))

    assert await listener.subscribe("alerts") == {"ok": False, "error": KEY_REVOKED}


async def test_subscribe_after_the_key_lost_its_scope_is_forbidden(realtime, connect, keys):
    listener = await connect(keys.read)

    realtime.app[NAMESPACE_KEY].replace_keys(parse_api_keys(f"{keys.read}:events:write"))
    ack = await listener.subscribe("call:c-1")

    assert ack == {
        "ok": False,
        "error": "forbidden: call:<call_id> rooms need the calls:read scope",
    }
    assert "c-1" not in str(realtime.app[NAMESPACE_KEY].rooms(listener.client.get_sid()))


async def test_a_rotated_ring_that_keeps_the_key_keeps_it_working(realtime, connect, keys):
    listener = await connect(keys.read)

    realtime.app[NAMESPACE_KEY].replace_keys(
        parse_api_keys(f"new-key:admin,{keys.read}:calls:read")
    )

    assert await listener.subscribe("queue:q-1") == {"ok": True}
