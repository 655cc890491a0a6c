"""The asyncpg pool: JSON codecs (orjson) so jsonb columns come back as Python values,
and a release that costs no round trip.

asyncpg's default release runs `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`
— one extra round trip per request. Pooled connections here never keep session state
(LISTEN uses its own connection, migrations their own), so a release only has to make
sure no transaction is left open.
"""

from typing import Any

import asyncpg
import orjson

# Lazy: the pool opens connections on demand, so a process starts (and answers
# /health, /ready 503) while PostgreSQL is down, and recovers when it returns.
POOL_MIN_SIZE = 0


def _encode_json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _init_connection(conn: Any) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog"
        )


async def _reset_connection(conn: Any) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class BoundedPool(asyncpg.Pool):  # type: ignore[misc]
    """A pool whose `acquire()` waits at most `acquire_timeout_s` unless told otherwise.

    asyncpg waits forever by default: with every connection busy (a slow database, a
    burst), requests would queue without end. Past the bound, `acquire` raises
    TimeoutError, which every caller already treats as "PostgreSQL unavailable" (503).
    """

    def __init__(self, *args: Any, acquire_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._acquire_timeout_s = acquire_timeout_s

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self._acquire_timeout_s if timeout is None else timeout)


DEFAULT_ACQUIRE_TIMEOUT_S = 5.0


async def create_pool(
    database_url: str, max_size: int = 10, acquire_timeout_s: float = DEFAULT_ACQUIRE_TIMEOUT_S
) -> Any:
    # The arguments asyncpg.create_pool passes to its Pool, with ours added.
    pool = BoundedPool(
        database_url,
        acquire_timeout_s=acquire_timeout_s,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        init_size=None,
        min_size=POOL_MIN_SIZE,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connect=None,
        setup=None,
        init=_init_connection,
        reset=_reset_connection,
        command_timeout=30,
        # Short OLTP statements: JIT compilation only ever added 15-280 ms to a claim
        # whose estimated cost crossed jit_above_cost.
        server_settings={"jit": "off"},
    )
    return await pool
