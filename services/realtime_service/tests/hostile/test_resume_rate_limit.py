"""A socket may resume (a PostgreSQL read each) only so often: a token bucket per socket."""

import dataclasses

import pytest

from realtime_service.api.app_keys import METRICS_KEY, NAMESPACE_KEY
from realtime_service.domain.acks import RESUME_RATE_LIMITED

PER_MINUTE = 2


@pytest.fixture
async def limited(start, settings, database_url):
    return await start(
        dataclasses.replace(settings, database_url=database_url, resumes_per_minute=PER_MINUTE)
    )


async def _resume(listener, call_id: str) -> dict[str, object]:
    ack: dict[str, object] = await listener.client.call(
        "subscribe", {"room": f"call:{call_id}", "since_seq": 0}, timeout=10
    )
    return ack


async def test_resumes_beyond_the_allowance_are_refused_and_counted(limited, connect):
    listener = await connect(url=limited.url)

    acks = [await _resume(listener, f"rate-{n}") for n in range(PER_MINUTE + 1)]

    assert acks[:PER_MINUTE] == [{"ok": True, "resumed": 0}] * PER_MINUTE
    assert acks[PER_MINUTE] == {"ok": False, "error": RESUME_RATE_LIMITED}
    resumes = limited.app[METRICS_KEY].resumes
    assert resumes.labels(outcome="rate_limited")._value.get() == 1
    sid = listener.client.get_sid()
    assert f"call:rate-{PER_MINUTE}" not in limited.app[NAMESPACE_KEY].rooms(sid)
    assert await listener.subscribe(f"call:rate-{PER_MINUTE}") == {"ok": True}  # the fallback


async def test_each_socket_has_its_own_allowance(limited, connect):
    first, second = await connect(url=limited.url), await connect(url=limited.url)
    for n in range(PER_MINUTE):
        assert (await _resume(first, f"own-{n}"))["ok"] is True

    assert (await _resume(first, "own-x"))["ok"] is False
    assert (await _resume(second, "own-x")) == {"ok": True, "resumed": 0}
