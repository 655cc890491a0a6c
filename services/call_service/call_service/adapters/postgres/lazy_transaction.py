"""A unit of work's connection and transaction, both taken with its first statement.

On this kind of machine a round trip to PostgreSQL costs more than everything
else an event needs (see docs/performance.md), and BEGIN is one. Starting the
transaction lazily lets a unit of work whose only write is one statement (a new
call with its first event) skip BEGIN and COMMIT: PostgreSQL makes a single
statement atomic by itself. Taking the pooled connection lazily too means such
a unit holds none while its statement is grouped with other requests'
(new_call_group.py). Any other unit of work gets its connection and BEGIN just
before its first statement, exactly as before.
"""

from typing import Any

from call_service.adapters.postgres.unavailable import UNAVAILABLE_AT_START, UNAVAILABLE_ERRORS
from call_service.service.errors import InfrastructureUnavailable


class LazyTransaction:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._conn: Any = None
        self._tx: Any = None
        self._finished = False

    @property
    def untouched(self) -> bool:
        """No connection taken yet: a standalone write may run anywhere (autocommit)."""
        return self._conn is None and not self._finished

    async def execute(self, query: str, *args: Any) -> str:
        conn = await self._begin()
        status: str = await conn.execute(query, *args)
        return status

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        conn = await self._begin()
        rows: list[Any] = await conn.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Any:
        conn = await self._begin()
        return await conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        conn = await self._begin()
        return await conn.fetchval(query, *args)

    async def fetchrow_standalone(self, query: str, *args: Any) -> Any:
        """Run in the open transaction if there is one, else on its own (autocommit)."""
        if self._finished:
            raise RuntimeError("a standalone write already ended this unit of work")
        conn = await self._connection()
        if self._tx is not None:
            return await conn.fetchrow(query, *args)
        try:
            return await conn.fetchrow(query, *args)
        except UNAVAILABLE_AT_START as exc:
            conn.terminate()
            raise InfrastructureUnavailable("database unavailable") from exc

    async def fetchrow_untransacted(self, query: str, *args: Any) -> Any:
        """A read that need not be part of the transaction (configuration): on a pooled
        connection of its own while this unit holds none, so it does not open one."""
        if not self.untouched:
            return await self.fetchrow(query, *args)
        try:
            return await self._pool.fetchrow(query, *args)
        except UNAVAILABLE_AT_START as exc:
            raise InfrastructureUnavailable("database unavailable") from exc

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

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await self._pool.release(conn)

    async def _connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = await self._pool.acquire()
            except UNAVAILABLE_ERRORS as exc:
                raise InfrastructureUnavailable("database unavailable") from exc
        return self._conn

    async def _begin(self) -> Any:
        if self._finished:
            raise RuntimeError("a standalone write already ended this unit of work")
        conn = await self._connection()
        if self._tx is not None:
            return conn
        try:
            tx = conn.transaction()
            await tx.start()
        except UNAVAILABLE_AT_START as exc:
            # A pooled connection caught mid-teardown (PostgreSQL shutting down) fails
            # with InternalClientError at BEGIN: unavailable, and the connection is dropped.
            conn.terminate()
            raise InfrastructureUnavailable("database unavailable") from exc
        self._tx = tx
        return conn
