"""One PostgreSQL transaction per use case, with the repositories bound to it."""

from types import TracebackType
from typing import Any, Self

import asyncpg

from call_service.adapters.postgres.agents_repository import PostgresAgentsRepository
from call_service.adapters.postgres.alerts_repository import PostgresAlertsRepository
from call_service.adapters.postgres.calls_repository import PostgresCallsRepository
from call_service.adapters.postgres.events_repository import PostgresEventsRepository
from call_service.adapters.postgres.integration_outbox import PostgresIntegrationOutbox
from call_service.adapters.postgres.outbox import PostgresOutbox
from call_service.adapters.postgres.queues_repository import PostgresQueuesRepository
from call_service.adapters.postgres.timers_repository import PostgresTimersRepository
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.service.errors import InfrastructureUnavailable

_BROKEN_AT_START: tuple[type[BaseException], ...] = (
    *UNAVAILABLE_ERRORS,
    asyncpg.exceptions.InternalClientError,
)


class PostgresUnitOfWork:
    calls: PostgresCallsRepository
    events: PostgresEventsRepository
    queues: PostgresQueuesRepository
    outbox: PostgresOutbox
    timers: PostgresTimersRepository
    alerts: PostgresAlertsRepository
    agents: PostgresAgentsRepository
    integrations: PostgresIntegrationOutbox

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._conn: Any = None
        self._tx: Any = None

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self._pool.acquire()
            self._tx = self._conn.transaction()
            await self._tx.start()
        except _BROKEN_AT_START as exc:
            # A pooled connection caught mid-teardown (PostgreSQL shutting down) fails
            # with InternalClientError at BEGIN: unavailable, and the connection is dropped.
            if self._conn is not None:
                self._conn.terminate()
            await self._release()
            raise InfrastructureUnavailable("database unavailable") from exc
        self.calls = PostgresCallsRepository(self._conn)
        self.events = PostgresEventsRepository(self._conn)
        self.queues = PostgresQueuesRepository(self._conn)
        self.outbox = PostgresOutbox(self._conn)
        self.timers = PostgresTimersRepository(self._conn)
        self.alerts = PostgresAlertsRepository(self._conn)
        self.agents = PostgresAgentsRepository(self._conn)
        self.integrations = PostgresIntegrationOutbox(self._conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        except UNAVAILABLE_ERRORS as failure:
            # Commit outcome unknown only if the connection died mid-commit; the
            # producer retries with its event_id and idempotency sorts it out.
            raise InfrastructureUnavailable("database unavailable") from failure
        finally:
            await self._release()
        if isinstance(exc, UNAVAILABLE_ERRORS):
            raise InfrastructureUnavailable("database unavailable") from exc

    async def _release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await self._pool.release(conn)
