"""/health, /ready and /metrics, and how readiness follows the Redis subscription."""

import dataclasses

import aiohttp

from realtime_service.api.app_keys import INSTANCE_KEY, METRICS_KEY, SUBSCRIBER_KEY


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_health_answers_200(realtime):
    status, body = await _get(f"{realtime.url}/health")

    assert (status, body) == (200, '{"status": "ok"}')


async def test_ready_answers_200_with_redis_up_and_subscribed(realtime):
    status, body = await _get(f"{realtime.url}/ready")

    assert status == 200
    assert '"redis": "ok"' in body
    assert '"subscriber": "ok"' in body


async def test_metrics_expose_the_realtime_counters(realtime, connect, make_call_event):
    listener = await connect()
    await listener.subscribe("calls")
    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    await listener.next()

    status, body = await _get(f"{realtime.url}/metrics")

    assert status == 200
    assert "realtime_connected_sockets 1.0" in body
    assert 'realtime_emitted_messages_total{event="call_event"} 1.0' in body
    for name in ("realtime_dropped_duplicates", "realtime_redis_reconnects_total"):
        assert name in body


async def test_socket_io_accepts_the_dashboard_origin_and_refuses_others(realtime):
    url = f"{realtime.url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers={"Origin": "http://127.0.0.1:3000"}) as allowed:
            assert allowed.status == 200
            assert allowed.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
        async with session.get(url, headers={"Origin": "http://evil.example"}) as refused:
            assert refused.status == 400


async def test_ready_answers_503_while_redis_is_unreachable(
    start, settings, unused_tcp_port, eventually
):
    unreachable = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{unused_tcp_port}/0")
    running = await start(unreachable, subscribed=False)
    reconnects = running.app[METRICS_KEY].redis_reconnects

    await eventually(lambda: reconnects._value.get() >= 1)
    status, body = await _get(f"{running.url}/ready")
    health, _ = await _get(f"{running.url}/health")

    assert status == 503
    assert '"redis": "unavailable"' in body
    assert '"subscriber": "unavailable"' in body
    assert health == 200


async def test_subscriber_resubscribes_after_redis_drops_the_connection(
    realtime, redis, connect, make_call_event, eventually
):
    listener = await connect()
    await listener.subscribe("call:c-1")
    name = f"realtime-service:{realtime.app[INSTANCE_KEY]}:relay"
    subscriber = realtime.app[SUBSCRIBER_KEY]
    reconnects = realtime.app[METRICS_KEY].redis_reconnects

    killed = [c["id"] for c in await redis.client_list() if c["name"] == name]
    for client_id in killed:
        await redis.client_kill_filter(_id=client_id)

    assert len(killed) == 1
    await eventually(lambda: reconnects._value.get() >= 1 and subscriber.connected)
    await realtime.publish(make_call_event(call_id="c-1", seq=1))
    name_, payload = await listener.next()
    assert (name_, payload["event"]["call_id"]) == ("call_event", "c-1")


async def test_every_http_response_carries_the_security_headers(realtime) -> None:
    url = f"{realtime.url}/health"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
