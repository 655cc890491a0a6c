"""CommitSignal: a burst of commits costs one or two NOTIFYs, and the last commit is covered."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.notifications import OUTBOX_PENDING
from call_service.adapters.postgres.pool import create_pool
from devstack.polling import eventually


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Any]:
    pool = await create_pool(database_url, max_size=2)
    yield pool
    await pool.close()


def count_at_least(received: list[str], n: int) -> Any:
    async def check() -> bool:
        return len(received) >= n

    return check


async def test_a_burst_of_commits_is_one_or_two_notifications(pool: Any, database_url: str) -> None:
    received: list[str] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener(OUTBOX_PENDING, lambda *args: received.append(args[2]))
    try:
        signal = CommitSignal(pool)
        for _ in range(200):
            signal.committed({OUTBOX_PENDING})
        await signal.close()
        await eventually(count_at_least(received, 1), deadline_s=5)
        await asyncio.sleep(0)  # let a second notification, if any, be read
        assert 1 <= len(received) <= 2
    finally:
        await listener.close()


async def test_a_commit_during_a_notification_gets_one_after_it(
    pool: Any, database_url: str
) -> None:
    received: list[str] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener(OUTBOX_PENDING, lambda *args: received.append(args[2]))
    try:
        signal = CommitSignal(pool)
        signal.committed({OUTBOX_PENDING})
        await asyncio.sleep(0)  # the first NOTIFY is now in flight
        signal.committed({OUTBOX_PENDING})
        await signal.close()
        await eventually(count_at_least(received, 2), deadline_s=5)
    finally:
        await listener.close()


async def test_a_failed_notification_is_logged_and_forgotten(database_url: str) -> None:
    pool = await create_pool(database_url, max_size=1)
    await pool.close()  # every NOTIFY now fails
    signal = CommitSignal(pool)
    signal.committed({OUTBOX_PENDING})
    await signal.close()  # returns; the listeners' polling covers the rows
    signal.committed({OUTBOX_PENDING})  # and the signal still works afterwards
    await signal.close()
