"""A realtime process killed: two behind one Redis both deliver, and a client of the dead one
moves to the other and, resyncing from the REST API, ends with every event exactly once."""

import itertools
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from devstack.launcher import Stack
from devstack.polling import eventually
from devstack.socket_client import SocketClient
from devstack.stack_for_tests import READER, running_stack
from devstack.valkey_server import EmbeddedValkey

from .delivery_checks import assert_each_once_in_order, received_all
from .producer import Producer

READ_HEADERS = {"X-API-Key": READER}


@pytest.fixture
def stack(
    fresh_database_url: str, private_redis: EmbeddedValkey, redis_channel: str
) -> Iterator[Stack]:
    with running_stack(fresh_database_url, private_redis.url, redis_channel) as running:
        yield running


async def _resync(
    session: aiohttp.ClientSession, api_url: str, call_ids: list[str]
) -> dict[str, list[int]]:
    """The REST half of a reconnect: every stored seq of each call (subscribe first, then read)."""
    seqs: dict[str, list[int]] = {}
    for call_id in call_ids:
        async with session.get(
            f"{api_url}/api/calls/{call_id}/events", headers=READ_HEADERS
        ) as response:
            if response.status == 404:
                seqs[call_id] = []
                continue
            assert response.status == 200, await response.text()
            seqs[call_id] = [event["seq"] for event in (await response.json())["data"]]
    return seqs


def _strictly_increasing(by_call: dict[str, list[int]]) -> bool:
    return all(all(a < b for a, b in itertools.pairwise(s)) for s in by_call.values())


async def test_after_a_realtime_process_dies_its_client_moves_over_and_misses_nothing(
    stack: Any,
) -> None:
    survivor = stack.another("realtime-2", "realtime")
    survivor_url = stack.urls["realtime-2"]
    doomed = stack.processes["realtime"]
    call_ids = [f"rt-kill-{i}" for i in range(4)]
    with survivor:
        watcher = SocketClient(survivor_url)  # stays on the survivor all along
        mover = SocketClient(stack.realtime_url, reconnection=False)  # on the one we kill
        await watcher.connect("calls")
        await mover.connect("calls")
        before: dict[str, list[int]] = {}
        after_client = SocketClient(survivor_url)
        producer = Producer(stack.api_url, call_ids, interval_s=0.05)  # ~80 events/s
        try:
            async with aiohttp.ClientSession() as session:
                producer.start(session)
                # Two realtime processes behind one Redis: both deliver to their sockets.
                await watcher.wait_for(40)
                await mover.wait_for(40)

                doomed.kill()
                await eventually(_disconnected(mover), deadline_s=10)
                before = {c: list(mover.by_call.get(c, [])) for c in call_ids}
                await mover.close()

                # Reconnect to the survivor: subscribe first, then read what was missed.
                await after_client.connect("calls")
                rest = await _resync(session, stack.api_url, call_ids)
                await watcher.wait_for(len(watcher.received) + 40)  # live goes on meanwhile
                await producer.stop()
                await eventually(
                    lambda: received_all(watcher.by_call, producer.accepted), deadline_s=15
                )

                def merged() -> dict[str, list[int]]:
                    # Dashboard-style merge: once per seq, whatever path it came by.
                    return {
                        c: sorted(
                            set(before[c]) | set(rest[c]) | set(after_client.by_call.get(c, []))
                        )
                        for c in call_ids
                    }

                async def caught_up() -> bool:
                    return await received_all(merged(), producer.accepted)

                await eventually(caught_up, deadline_s=15)
        finally:
            await producer.stop()
            await watcher.close()
            await mover.close()
            await after_client.close()

    assert set(producer.statuses) == {201}, producer.problems[:5]
    assert_each_once_in_order(watcher.by_call, producer.accepted)
    # Each socket got each event at most once and in order, and together with the REST read
    # they cover every seq with no gap.
    assert _strictly_increasing(before), before
    assert _strictly_increasing(dict(after_client.by_call)), after_client.by_call
    assert_each_once_in_order(merged(), producer.accepted)
    # The live stream on the new socket picked up where the REST read left off or earlier.
    for call_id in call_ids:
        live = after_client.by_call.get(call_id, [])
        assert live, call_id
        assert live[0] <= (rest[call_id][-1] if rest[call_id] else 0) + 1, (call_id, rest, live)
    assert sum(len(s) for s in before.values()) < producer.total  # it did miss some live


def _disconnected(client: Any) -> Any:
    async def check() -> bool:
        return not client.sio.connected

    return check
