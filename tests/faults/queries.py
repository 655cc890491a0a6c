"""One-shot reads and writes on a test's database (a connection each: the servers under test
may restart between two of them)."""

from typing import Any

import asyncpg

PENDING = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


async def fetch_one(database_url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def fetch_rows(database_url: str, query: str, *args: Any) -> list[Any]:
    conn = await asyncpg.connect(database_url)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def execute(database_url: str, statement: str, *args: Any) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()
