"""The call_events table: the audit log, and the idempotency lookup by event_id.

An event is recorded with the writes that always accompany it — the realtime
outbox row, the integration outbox row (only when a webhook subscribes), the
call's timer changes — in ONE statement of data-modifying CTEs: one round trip
instead of five, which is most of an event's cost (see docs/performance.md).
The CTEs touch different rows (a timer is never both cancelled and armed), so
their shared snapshot changes nothing.
"""

from typing import Any

import asyncpg

from call_service.adapters.postgres.calls_repository import CALL_COLUMNS, call_values
from call_service.adapters.postgres.lazy_transaction import LazyTransaction
from call_service.adapters.postgres.new_call_group import NewCallGroup
from call_service.adapters.postgres.new_calls_bulk import write_new_calls, written_channels
from call_service.adapters.postgres.recorded_columns import recorded_values
from call_service.service.errors import DuplicateEventId
from call_service.service.ports import RecordedEvent, StoredEvent
from contracts.calls import Call, EventAccepted
from contracts.events import CallEvent

# Events are read from the view `call_events_wire` (migration 0007): its columns are the
# fields of CallEvent, so a row validates as it is; a replay joins the rest of its row.
FIND_BY_EVENT_ID = """
SELECT w.*, e.request_hash, e.call_after
FROM call_events AS e JOIN call_events_wire AS w USING (call_id, seq)
WHERE e.event_id = $1
"""
# The call row's write "gates" the rest: every other CTE reads the id from `gate`,
# so when the gate writes nothing (a new call whose id or event_id is taken),
# nothing else is written either. $3 is the call id; $19..$34 the call's columns.
_UPDATE_CALL_GATE = """
    UPDATE calls SET status = $19, queue_id = $20, media = $21, agent_id = $22,
        start_time = $23, answered_at = $24, end_time = $25, end_reason = $26,
        wait_time = $27, duration = $28, flags = $29, last_seq = $30, updated_at = $31,
        hold_started_at = $32, hold_total = $33, transfer_count = $34
    WHERE id = $3
    RETURNING id
"""
_NEW_CALL_GATE = f"""
    INSERT INTO calls ({CALL_COLUMNS})
    SELECT $3, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34
    WHERE NOT EXISTS (SELECT 1 FROM call_events WHERE event_id = $2)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
"""  # noqa: S608
_CALL_WRITTEN_GATE = "SELECT $3::text AS id"
_RECORD = """
WITH gate AS ({gate}), audit AS (
    INSERT INTO call_events (id, event_id, call_id, seq, type, occurred_at, received_at, data,
                             request_hash, call_after, correlation_id)
    SELECT $1::uuid, $2, id, $4, $5, $6, $7, $8, $9, $10, $11 FROM gate
), realtime AS (
    INSERT INTO outbox (ordering_key, kind, payload, correlation_id)
    SELECT id, $12, $13, $11 FROM gate
), integration AS (
    INSERT INTO integration_outbox (event_type, payload, correlation_id)
    SELECT $14, $15, $11 FROM gate
    WHERE EXISTS (SELECT 1 FROM webhooks WHERE event_types @> ARRAY[$14::text])
    RETURNING 1
), cancelled AS (
    DELETE FROM call_timers WHERE call_id = (SELECT id FROM gate) AND kind = ANY($16::text[])
), armed AS (
    INSERT INTO call_timers (call_id, kind, due_at)
    SELECT gate.id, t.kind, t.due_at
    FROM gate, unnest($17::text[], $18::timestamptz[]) AS t(kind, due_at)
    ON CONFLICT ON CONSTRAINT call_timers_pkey
    DO UPDATE SET due_at = EXCLUDED.due_at, armed_at = now()
)
SELECT (SELECT count(*) FROM gate) AS written, (SELECT count(*) FROM integration) AS integrated
"""
RECORD_EVENT = _RECORD.format(gate=_CALL_WRITTEN_GATE)
RECORD_EVENT_UPDATING_CALL = _RECORD.format(gate=_UPDATE_CALL_GATE)
RECORD_NEW_CALL = _RECORD.format(gate=_NEW_CALL_GATE)
LIST_FOR_CALL = "SELECT * FROM call_events_wire WHERE call_id = $1 ORDER BY seq"


def event_from_row(row: Any) -> CallEvent:
    """The event of a row holding the columns of `call_events_wire` (others are ignored)."""
    return CallEvent.model_validate(dict(row))


class PostgresEventsRepository:
    def __init__(
        self, conn: LazyTransaction, written: set[str], new_calls: NewCallGroup | None = None
    ) -> None:
        self._conn = conn
        self._written = written  # channels to notify after commit
        self._new_calls = new_calls

    async def find_by_event_id(self, event_id: str) -> StoredEvent | None:
        row = await self._conn.fetchrow(FIND_BY_EVENT_ID, event_id)
        if row is None:
            return None
        accepted = EventAccepted(
            event=event_from_row(row), call=Call.model_validate(row["call_after"])
        )
        return StoredEvent(request_hash=row["request_hash"], accepted=accepted)

    async def record(self, recorded: RecordedEvent) -> None:
        """The event and its companions, updating the call row when `recorded.call` is set."""
        if recorded.call is None:
            await self._record(RECORD_EVENT, recorded)
        elif not await self._record(RECORD_EVENT_UPDATING_CALL, recorded):
            raise LookupError(f"call {recorded.event.call_id} vanished under its lock")

    async def record_new_call(self, recorded: RecordedEvent) -> bool:
        """Create the call with its first event in one statement, outside any transaction
        when it is the unit's first: PostgreSQL makes one statement atomic by itself.
        False, with nothing written, when the call id or the event_id is already taken.
        With a NewCallGroup and no connection taken yet, concurrent requests' new calls
        share the statement (group commit)."""
        if self._new_calls is not None and self._conn.untouched:
            grouped = await self._new_calls.write(recorded)
            if grouped is not None:
                if grouped:
                    self._conn.finish_standalone()
                return grouped
        if not await self._record(RECORD_NEW_CALL, recorded, standalone=True):
            return False
        self._conn.finish_standalone()
        return True

    async def record_new_calls(self, batch: list[RecordedEvent]) -> set[str]:
        # Two events of the batch sharing an event_id write nothing here (None): the
        # general path answers each (the second one as a replay or a conflict).
        result = await write_new_calls(self._conn.fetchrow_standalone, batch)
        if result is None:
            return set()
        created, channels = result
        self._written.update(channels)
        if created:
            self._conn.finish_standalone()
        return created

    async def _record(self, sql: str, recorded: RecordedEvent, standalone: bool = False) -> bool:
        event, plan = recorded.event, recorded.timers
        args = [
            event.id,
            event.event_id,
            event.call_id,
            event.seq,
            *recorded_values(recorded),
            [k.value for k in plan.cancel if k not in plan.arm],
            [k.value for k in plan.arm],
            list(plan.arm.values()),
        ]
        if recorded.call is not None:
            args.extend(call_values(recorded.call)[1:])
        run = self._conn.fetchrow_standalone if standalone else self._conn.fetchrow
        try:
            row = await run(sql, *args)
        except asyncpg.exceptions.UniqueViolationError as exc:
            if exc.constraint_name == "call_events_event_id_key":
                raise DuplicateEventId(event.event_id) from exc
            raise
        if not row["written"]:
            return False
        self._written.update(written_channels(True, row["integrated"]))
        return True

    async def list_for_call(self, call_id: str) -> list[CallEvent]:
        return [event_from_row(r) for r in await self._conn.fetch(LIST_FOR_CALL, call_id)]
