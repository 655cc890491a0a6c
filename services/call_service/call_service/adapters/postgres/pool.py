"""The asyncpg pool, with JSON codecs so jsonb columns come back as Python values."""

import json
from typing import Any

import asyncpg

# Lazy: the pool opens connections on demand, so a process starts (and answers
# /health, /ready 503) while PostgreSQL is down, and recovers when it returns.
POOL_MIN_SIZE = 0


async def _init_connection(conn: Any) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(database_url: str, max_size: int = 10) -> Any:
    return await asyncpg.create_pool(
        database_url,
        min_size=POOL_MIN_SIZE,
        max_size=max_size,
        init=_init_connection,
        command_timeout=30,
    )
