"""One PostgreSQL transaction per use case, with the repositories bound to it.

The repositories note which outbox channels they wrote to; after a successful
commit the unit of work hands those to the CommitSignal, which wakes the relay
and the webhook dispatcher.
"""

from types import TracebackType
from typing import Any, Self

from call_service.adapters.postgres.agents_repository import PostgresAgentsRepository
from call_service.adapters.postgres.alerts_repository import PostgresAlertsRepository
from call_service.adapters.postgres.calls_repository import PostgresCallsRepository
from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.events_repository import PostgresEventsRepository
from call_service.adapters.postgres.integration_outbox import PostgresIntegrationOutbox
from call_service.adapters.postgres.lazy_transaction import LazyTransaction
from call_service.adapters.postgres.new_call_group import NewCallGroup
from call_service.adapters.postgres.outbox import PostgresOutbox
from call_service.adapters.postgres.queues_repository import PostgresQueuesRepository
from call_service.adapters.postgres.timers_repository import PostgresTimersRepository
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.thresholds_cache import ThresholdsCache
from call_service.service.errors import InfrastructureUnavailable


class PostgresUnitOfWork:
    calls: PostgresCallsRepository
    events: PostgresEventsRepository
    queues: PostgresQueuesRepository
    outbox: PostgresOutbox
    timers: PostgresTimersRepository
    alerts: PostgresAlertsRepository
    agents: PostgresAgentsRepository
    integrations: PostgresIntegrationOutbox

    def __init__(
        self,
        pool: Any,
        signal: CommitSignal | None = None,
        thresholds: ThresholdsCache | None = None,
        new_calls: NewCallGroup | None = None,
    ) -> None:
        self._pool = pool
        self._signal = signal
        self._thresholds = thresholds or ThresholdsCache(ttl_s=0)
        self._new_calls = new_calls
        self._written: set[str] = set()
        self._tx: LazyTransaction | None = None

    async def __aenter__(self) -> Self:
        tx = self._tx = LazyTransaction(self._pool)
        self.calls = PostgresCallsRepository(tx)
        self.events = PostgresEventsRepository(tx, self._written, self._new_calls)
        self.queues = PostgresQueuesRepository(tx, self._thresholds)
        self.outbox = PostgresOutbox(tx, self._written)
        self.timers = PostgresTimersRepository(tx)
        self.alerts = PostgresAlertsRepository(tx)
        self.agents = PostgresAgentsRepository(tx)
        self.integrations = PostgresIntegrationOutbox(tx, self._written)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tx is not None, "used outside `async with`"
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
            await self._tx.release()
        if exc is None and self._signal is not None and self._written:
            self._signal.committed(self._written)
        if isinstance(exc, UNAVAILABLE_ERRORS):
            raise InfrastructureUnavailable("database unavailable") from exc
