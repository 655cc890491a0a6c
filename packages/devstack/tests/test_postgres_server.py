import asyncio
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from devstack.network import free_port
from devstack.postgres_server import EmbeddedPostgres


@pytest.fixture
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="devstack-test-") as name:
        os.chmod(name, 0o711)  # as root, the server runs as another user
        yield Path(name)


async def _query(url: str, sql: str) -> object:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_embedded_postgres_serves_tcp_and_keeps_data_across_restarts(scratch: Path) -> None:
    server = EmbeddedPostgres(scratch / "data", free_port())
    with server:
        version = asyncio.run(_query(server.url, "SHOW server_version"))
        asyncio.run(_execute(server.url, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)"))
    assert str(version).startswith("18")
    assert not server.is_running()

    with server:
        assert asyncio.run(_query(server.url, "SELECT id FROM kept")) == 7


def test_a_server_left_running_by_a_killed_run_is_replaced(scratch: Path) -> None:
    first = EmbeddedPostgres(scratch / "data", free_port(), durable=False)
    first.start()
    second = EmbeddedPostgres(scratch / "data", free_port(), durable=False)
    try:
        second.start()
        assert asyncio.run(_query(second.url, "SELECT 1")) == 1
    finally:
        second.stop()
    assert not first.is_running()
