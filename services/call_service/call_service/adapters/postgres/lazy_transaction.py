"""A pooled connection whose transaction begins with its first statement.

On this kind of machine a round trip to PostgreSQL costs more than everything
else an event needs (see docs/performance.md), and BEGIN is one. Starting the
transaction lazily lets a unit of work whose only write is one statement (a new
call with its first event) skip BEGIN and COMMIT: PostgreSQL makes a single
statement atomic by itself. Any other unit of work gets its BEGIN just before
its first statement, exactly as before.
"""

from typing import Any

import asyncpg

from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.service.errors import InfrastructureUnavailable

_BROKEN_AT_BEGIN: tuple[type[BaseException], ...] = (
    *UNAVAILABLE_ERRORS,
    asyncpg.exceptions.InternalClientError,
)


class LazyTransaction:
    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._tx: Any = None
        self._finished = False

    async def execute(self, query: str, *args: Any) -> str:
        await self._begin()
        status: str = await self._conn.execute(query, *args)
        return status

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        await self._begin()
        rows: list[Any] = await self._conn.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Any:
        await self._begin()
        return await self._conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        await self._begin()
        return await self._conn.fetchval(query, *args)

    async def fetchrow_standalone(self, query: str, *args: Any) -> Any:
        """Run in the open transaction if there is one, else on its own (autocommit)."""
        if self._finished:
            raise RuntimeError("a standalone write already ended this unit of work")
        return await self._conn.fetchrow(query, *args)

    def finish_standalone(self) -> None:
        """The standalone statement wrote: anything more would not be atomic with it."""
        if self._tx is None:
            self._finished = True

    async def commit(self) -> None:
        if self._tx is not None:
            await self._tx.commit()

    async def rollback(self) -> None:
        if self._tx is not None:
            await self._tx.rollback()

    async def _begin(self) -> None:
        if self._finished:
            raise RuntimeError("a standalone write already ended this unit of work")
        if self._tx is not None:
            return
        try:
            tx = self._conn.transaction()
            await tx.start()
        except _BROKEN_AT_BEGIN as exc:
            # A pooled connection caught mid-teardown (PostgreSQL shutting down) fails
            # with InternalClientError at BEGIN: unavailable, and the connection is dropped.
            self._conn.terminate()
            raise InfrastructureUnavailable("database unavailable") from exc
        self._tx = tx
