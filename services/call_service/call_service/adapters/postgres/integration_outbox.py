"""The writer side of the integration outbox (webhooks), inside the event transaction.

A row is written only when at least one webhook subscribes to its type, decided
by the same statement, so centers without webhooks pay one index probe and no
write. A webhook registered after the event's commit does not receive it.
"""

from typing import Any

from call_service.adapters.postgres.notifications import INTEGRATION_OUTBOX_PENDING

INSERT_IF_SUBSCRIBED = """
INSERT INTO integration_outbox (event_type, payload, correlation_id)
SELECT $1, $2, $3
WHERE EXISTS (SELECT 1 FROM webhooks WHERE event_types @> ARRAY[$1::text])
"""


class PostgresIntegrationOutbox:
    def __init__(self, conn: Any, written: set[str]) -> None:
        self._conn = conn
        self._written = written  # channels to notify after commit

    async def add(
        self, event_type: str, payload: dict[str, Any], correlation_id: str | None
    ) -> None:
        status = await self._conn.execute(INSERT_IF_SUBSCRIBED, event_type, payload, correlation_id)
        if status != "INSERT 0 0":
            self._written.add(INTEGRATION_OUTBOX_PENDING)
