"""Server-level chores for tests: is a server there, create and drop databases.

Blocking on purpose: pytest fixtures that are plain functions work for sync and async
tests alike. Each call runs its own event loop in a worker thread, so it is safe even
when called while another loop is running in the caller's thread.
"""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

T = TypeVar("T")


def run_blocking(make_coroutine: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a fresh event loop in a worker thread."""

    async def main() -> T:
        return await make_coroutine()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def database_url(server_url: str, database: str) -> str:
    """`server_url` pointing at another database (user, host, port and query kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_name(url: str) -> str:
    """The database a URL names."""
    return urlsplit(url).path.lstrip("/")


def accepts_connections(url: str, timeout: float = 2.0) -> bool:
    async def probe() -> bool:
        try:
            connection = await asyncpg.connect(url, timeout=timeout)
        except (OSError, TimeoutError, asyncpg.PostgresError):
            return False
        await connection.close()
        return True

    return run_blocking(probe)


def create_database(server_url: str, database: str, *, template: str | None = None) -> str:
    """CREATE DATABASE `database` (a copy of `template` when given); its URL."""
    statement = f'CREATE DATABASE "{_checked(database)}"'
    if template is not None:
        statement += f' TEMPLATE "{_checked(template)}"'
    run_blocking(lambda: _execute(server_url, statement))
    return database_url(server_url, database)


def drop_database(server_url: str, database: str) -> None:
    """DROP DATABASE … WITH (FORCE): ends sessions a test left open (PostgreSQL 13+)."""
    statement = f'DROP DATABASE IF EXISTS "{_checked(database)}" WITH (FORCE)'
    run_blocking(lambda: _execute(server_url, statement))


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _checked(name: str) -> str:
    # Identifiers cannot be bound as parameters; accept only names we generate.
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"unexpected database name {name!r}")
    return name
