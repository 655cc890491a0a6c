"""The tail CLI against a running app: prints JSON lines, exits 1 on refusal."""

import asyncio
import json

import pytest

from realtime_service import tail


async def test_tail_prints_one_call_event_and_exits_after_count(
    realtime, keys, make_call_event, capsys
):
    run = asyncio.create_task(
        tail.main(["call:c-1", "--url", realtime.url, "--key", keys.read, "--count", "1"])
    )
    await realtime.wait_for_room("call:c-1")

    await realtime.publish(make_call_event(call_id="c-1", seq=1))

    assert await asyncio.wait_for(run, 5) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    printed = [json.loads(line) for line in lines if line.startswith('{"room_event"')]
    assert printed == [
        {
            "room_event": "call_event",
            "type": "call_initiated",
            "call_id": "c-1",
            "seq": 1,
            "status": "waiting",
        }
    ]


async def test_tail_full_includes_the_payload_and_prints_alerts(
    realtime, keys, make_alert, monkeypatch, capsys
):
    monkeypatch.setenv("API_KEY", keys.read)
    args = ["alerts", "calls", "--url", realtime.url, "--count", "1", "--full"]
    run = asyncio.create_task(tail.main(args))
    await realtime.wait_for_room("calls")
    alert = make_alert(alert_id="al-9")

    await realtime.publish(alert)

    assert await asyncio.wait_for(run, 5) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    (line,) = [json.loads(x) for x in lines if x.startswith('{"room_event"')]
    assert line["room_event"] == "alert"
    assert line["id"] == "al-9"
    assert line["payload"] == alert.message.model_dump(mode="json")


async def test_tail_exits_1_with_a_message_when_the_key_is_refused(realtime, keys, capsys):
    code = await tail.main(["calls", "--url", realtime.url, "--key", keys.write, "--count", "1"])

    assert code == 1
    assert "refused the connection: unauthorized" in capsys.readouterr().err


async def test_tail_exits_1_with_the_ack_error_when_a_room_is_refused(realtime, keys, capsys):
    code = await tail.main(["lobby", "--url", realtime.url, "--key", keys.read, "--count", "1"])

    assert code == 1
    assert "subscribe lobby refused: room must be" in capsys.readouterr().err


@pytest.mark.parametrize("count", [["--count", "5"], []])
async def test_tail_exits_1_when_the_server_shuts_down(realtime, keys, capsys, count):
    run = asyncio.create_task(
        tail.main(["calls", "--url", realtime.url, "--key", keys.read, *count])
    )
    await realtime.wait_for_room("calls")

    await realtime.server.close()

    assert await asyncio.wait_for(run, 5) == 1
    assert "closed after 0 message(s)" in capsys.readouterr().err


async def test_tail_exits_1_when_nothing_listens(unused_tcp_port, keys, capsys):
    url = f"http://127.0.0.1:{unused_tcp_port}"

    assert await tail.main(["calls", "--url", url, "--key", keys.read, "--count", "1"]) == 1
    assert f"cannot connect to {url}" in capsys.readouterr().err


def test_tail_without_a_key_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("API_KEY", raising=False)

    with pytest.raises(SystemExit) as exited:
        tail.parse_args(["calls"])

    assert exited.value.code == 2


def test_summary_of_a_call_event_names_type_call_seq_and_status():
    payload = {
        "event": {"type": "call_answered", "call_id": "c-1", "seq": 3},
        "call": {"status": "active"},
    }

    assert tail.summarise("call_event", payload, full=False) == {
        "room_event": "call_event",
        "type": "call_answered",
        "call_id": "c-1",
        "seq": 3,
        "status": "active",
    }
