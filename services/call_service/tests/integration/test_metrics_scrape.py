"""/metrics reads the outbox at most once per few seconds, however often it is scraped."""

import asyncio
from typing import Any

import pytest

import call_service.api.app as app_module
from call_service.api.app import create_app
from service_kit.probes import SharedRefresh

from .conftest import initiated, post


@pytest.fixture
def outbox_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the app's outbox gauge refreshes (each one runs the outbox count queries)."""
    calls: list[int] = []
    refresh = app_module.refresh_outbox_gauges

    async def counted(*args: Any) -> None:
        calls.append(1)
        await refresh(*args)

    monkeypatch.setattr(app_module, "refresh_outbox_gauges", counted)
    return calls


async def test_scrapes_in_a_row_and_at_once_share_one_outbox_read(
    outbox_reads: list[int], settings: Any, aiohttp_client: Any, call_id: str
) -> None:
    client = await aiohttp_client(create_app(settings))
    assert (await post(client, initiated(call_id))).status == 201
    first, *others = await asyncio.gather(*(client.get("/metrics") for _ in range(5)))
    again = await client.get("/metrics")
    assert [r.status for r in (first, *others, again)] == [200] * 6
    assert len(outbox_reads) == 1
    body = await again.text()
    assert "\noutbox_pending " in body
    assert "\noutbox_failing " in body


async def test_a_refresh_runs_again_once_its_value_is_older_than_the_max_age() -> None:
    now = [0.0]
    runs: list[float] = []

    async def refresh() -> None:
        runs.append(now[0])

    shared = SharedRefresh(refresh, max_age_s=5.0, monotonic=lambda: now[0])
    for at in (0.0, 1.0, 4.9, 5.0, 6.0, 10.5):
        now[0] = at
        await shared()
    assert runs == [0.0, 5.0, 10.5]


async def test_a_refresh_that_fails_is_tried_again_by_the_next_scrape() -> None:
    attempts: list[int] = []

    async def refresh() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("store unreachable")

    shared = SharedRefresh(refresh, max_age_s=5.0)
    with pytest.raises(OSError, match="unreachable"):
        await shared()
    await shared()
    await shared()
    assert len(attempts) == 2
