"""Many new calls, each with its first event, in one statement: the batch endpoint's fast path.

A batch of `call_initiated` events (a producer replaying its backlog) would
otherwise cost one statement per call. Here the columns travel as arrays and
`unnest` turns them back into rows: the calls are inserted (ON CONFLICT DO
NOTHING, and not when the event_id is already stored), and only the calls that
were inserted get their event, outbox row, integration row and timers. The
caller sends the others the general way, which tells replays from conflicts.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson

from call_service.adapters.postgres.calls_repository import call_values
from call_service.adapters.postgres.notifications import (
    INTEGRATION_OUTBOX_PENDING,
    OUTBOX_PENDING,
)
from call_service.adapters.postgres.recorded_columns import recorded_values
from call_service.service.ports import RecordedEvent

# (name, SQL element type) of each array: the call's columns, then the event's.
_CALL = (
    ("id", "text"),
    ("status", "text"),
    ("queue_id", "text"),
    ("media", "text"),
    ("agent_id", "text"),
    ("start_time", "timestamptz"),
    ("answered_at", "timestamptz"),
    ("end_time", "timestamptz"),
    ("end_reason", "text"),
    ("wait_time", "float8"),
    ("duration", "float8"),
    ("flags", "text"),  # JSON text: an array per row would make a 2-D array, which unnest flattens
    ("last_seq", "int4"),
    ("updated_at", "timestamptz"),
    ("hold_started_at", "timestamptz"),
    ("hold_total", "float8"),
    ("transfer_count", "int4"),
)
_EVENT = (
    ("event_uuid", "uuid"),
    ("event_id", "text"),
    ("type", "text"),
    ("occurred_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("data", "jsonb"),
    ("request_hash", "text"),
    ("call_after", "jsonb"),
    ("correlation_id", "text"),
    ("realtime_kind", "text"),
    ("realtime_payload", "jsonb"),
    ("integration_kind", "text"),
    ("integration_payload", "jsonb"),
)
_COLUMNS = _CALL + _EVENT
_FLAGS = [name for name, _ in _CALL].index("flags")
_UNNEST = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(_COLUMNS, start=1))
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_TIMERS = len(_COLUMNS) + 1  # three more arrays: call id, kind, due time per armed timer

RECORD_NEW_CALLS = f"""
WITH input AS (
    SELECT * FROM unnest({_UNNEST}) AS i({_NAMES})
), gate AS (
    INSERT INTO calls (id, status, queue_id, media, agent_id, start_time, answered_at,
                       end_time, end_reason, wait_time, duration, flags, last_seq, updated_at,
                       hold_started_at, hold_total, transfer_count)
    SELECT id, status, queue_id, media, agent_id, start_time, answered_at, end_time,
           end_reason, wait_time, duration, ARRAY(SELECT jsonb_array_elements_text(flags::jsonb)),
           last_seq, updated_at, hold_started_at, hold_total, transfer_count
    FROM input i
    WHERE NOT EXISTS (SELECT 1 FROM call_events e WHERE e.event_id = i.event_id)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), audit AS (
    INSERT INTO call_events (id, event_id, call_id, seq, type, occurred_at, received_at, data,
                             request_hash, call_after, correlation_id)
    SELECT event_uuid, event_id, i.id, last_seq, type, occurred_at, received_at, data,
           request_hash, call_after, correlation_id
    FROM input i JOIN gate g ON g.id = i.id
), realtime AS (
    INSERT INTO outbox (ordering_key, kind, payload, correlation_id)
    SELECT i.id, realtime_kind, realtime_payload, correlation_id
    FROM input i JOIN gate g ON g.id = i.id
), integration AS (
    INSERT INTO integration_outbox (event_type, payload, correlation_id)
    SELECT integration_kind, integration_payload, correlation_id
    FROM input i JOIN gate g ON g.id = i.id
    WHERE EXISTS (SELECT 1 FROM webhooks WHERE event_types @> ARRAY[i.integration_kind])
    RETURNING 1
), armed AS (
    INSERT INTO call_timers (call_id, kind, due_at)
    SELECT t.call_id, t.kind, t.due_at
    FROM unnest(${_TIMERS}::text[], ${_TIMERS + 1}::text[], ${_TIMERS + 2}::timestamptz[])
         AS t(call_id, kind, due_at)
    JOIN gate g ON g.id = t.call_id
)
SELECT ARRAY(SELECT id FROM gate) AS created, (SELECT count(*) FROM integration) AS integrated
"""  # noqa: S608 - only our own column names are interpolated; values are bound


def record_new_calls_args(batch: list[RecordedEvent]) -> list[Any]:
    """The statement's arguments: one array per column, then the timers' three."""
    columns: list[list[Any]] = [[] for _ in _COLUMNS]
    timer_calls: list[str] = []
    timer_kinds: list[str] = []
    timer_due: list[Any] = []
    for recorded in batch:
        assert recorded.call is not None, "a new call's row travels with its event"
        call = list(call_values(recorded.call))
        call[_FLAGS] = orjson.dumps(call[_FLAGS]).decode()
        event = recorded.event
        row = [
            *call,
            event.id,
            event.event_id,
            *recorded_values(recorded),
        ]
        for column, value in zip(columns, row, strict=True):
            column.append(value)
        for kind, due_at in recorded.timers.arm.items():
            timer_calls.append(event.call_id)
            timer_kinds.append(kind.value)
            timer_due.append(due_at)
    return [*columns, timer_calls, timer_kinds, timer_due]


def written_channels(wrote: bool, integrated: int) -> set[str]:
    """The channels to notify after a record statement: the outbox when it wrote, the
    integration outbox when a webhook's row was written too."""
    channels: set[str] = set()
    if wrote:
        channels.add(OUTBOX_PENDING)
    if integrated:
        channels.add(INTEGRATION_OUTBOX_PENDING)
    return channels


async def write_new_calls(
    fetchrow: Callable[..., Awaitable[Any]], batch: list[RecordedEvent]
) -> tuple[set[str], set[str]] | None:
    """Run RECORD_NEW_CALLS through `fetchrow`: the ids of the calls created and the channels
    to notify, or None (nothing written) when two calls of the batch share an event_id."""
    try:
        row = await fetchrow(RECORD_NEW_CALLS, *record_new_calls_args(batch))
    except asyncpg.exceptions.UniqueViolationError as exc:
        if exc.constraint_name == "call_events_event_id_key":
            return None
        raise
    created = set(row["created"])
    return created, written_channels(bool(created), row["integrated"])
