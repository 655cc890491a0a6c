"""A call's stored events after a given seq, read from PostgreSQL for a resume.

The realtime service reads the call service's schema with explicit SQL on read-only
connections: the call service owns it (its migrations), and what the two services share
is the view `call_events_wire` — a stored event with exactly the fields of the wire
CallEvent, as the call service reads it too — the `call_events` row behind it, and
`calls.last_seq`. Each event row keeps `call_after`, the call as that event left it — the
very `call` its live `call_event` message carried — so a replayed message equals the live
one, and a client merging the call by `last_seq` ends on the same state either way.
"""

import json
from typing import Any

import asyncpg

from contracts.calls import Call
from contracts.events import CallEvent
from contracts.realtime import CallEventMessage
from realtime_service.domain.backlog import MAX_EVENTS, Backlog
from realtime_service.service.ports import BacklogUnavailable

POOL_SIZE = 4
CONNECT_TIMEOUT_S = 5.0
ACQUIRE_TIMEOUT_S = 5.0
QUERY_TIMEOUT_S = 10.0

LAST_SEQ = "SELECT last_seq FROM calls WHERE id = $1"
EVENTS_AFTER = """
SELECT w.*, e.call_after
FROM call_events_wire AS w JOIN call_events AS e USING (call_id, seq)
WHERE w.call_id = $1 AND w.seq > $2
ORDER BY w.seq
LIMIT $3
"""
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
"""Driver errors that mean "cannot read now" (server down, schema not migrated yet …)."""


class PostgresBacklog:
    """The `service.ports.BacklogSource` of the process: a small read-only pool."""

    def __init__(self, database_url: str, max_events: int = MAX_EVENTS) -> None:
        self._url = database_url
        self._max_events = max_events
        self._pool: Any = None

    async def open(self) -> None:
        """Create the pool; it connects lazily, so this works while PostgreSQL is down."""
        self._pool = await asyncpg.create_pool(
            self._url,
            min_size=0,
            max_size=POOL_SIZE,
            timeout=CONNECT_TIMEOUT_S,
            command_timeout=QUERY_TIMEOUT_S,
            server_settings={
                "default_transaction_read_only": "on",
                "application_name": "realtime-service",
            },
            init=_decode_json_columns,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def ping(self) -> None:
        """The readiness check: raises unless PostgreSQL answers."""
        if self._pool is None:
            raise ConnectionError("the database pool is not open")
        async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
            await conn.fetchval("SELECT 1")

    async def read(self, call_id: str, since_seq: int) -> Backlog:
        """The events of `call_id` after `since_seq`, and its last seq, from one snapshot."""
        if self._pool is None:
            raise BacklogUnavailable("the database pool is not open")
        try:
            async with (
                self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                last_seq = await conn.fetchval(LAST_SEQ, call_id)
                rows = await conn.fetch(EVENTS_AFTER, call_id, since_seq, self._max_events + 1)
        except UNAVAILABLE as exc:
            raise BacklogUnavailable(type(exc).__name__) from exc
        if len(rows) > self._max_events:
            return Backlog([], last_seq or 0, complete=False)
        return Backlog([_message(row) for row in rows], last_seq or 0, complete=True)


async def _decode_json_columns(conn: Any) -> None:
    """jsonb columns (the event's data, call_after) come back as Python values."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def _message(row: Any) -> dict[str, Any]:
    """The `call_event` message of a row: the event (the view's columns; call_after is not
    one of CallEvent's fields) and the call it left."""
    event = CallEvent.model_validate(dict(row))
    call = Call.model_validate(row["call_after"])
    return CallEventMessage(event=event, call=call).model_dump(mode="json")
