"""Queue administration: list, read, create and change the queues table.

The column list of a PATCH comes from the model's field names (a closed set),
never from the request; every value is a bound parameter.
"""

from typing import Any

from contracts.queues import Queue, QueueCreate, QueuePatch

QUEUE_COLUMNS = (
    "id, name, sla_seconds, no_answer_seconds, max_hold_seconds, short_call_seconds,"
    " short_abandon_seconds, service_level_includes_abandoned, service_level_target,"
    " created_at, updated_at"
)
LIST_QUEUES = f"SELECT {QUEUE_COLUMNS} FROM queues ORDER BY id"  # noqa: S608
GET_QUEUE = f"SELECT {QUEUE_COLUMNS} FROM queues WHERE id = $1"  # noqa: S608
INSERT_QUEUE = f"""
INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,
                    short_call_seconds, short_abandon_seconds,
                    service_level_includes_abandoned, service_level_target)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO NOTHING
RETURNING {QUEUE_COLUMNS}
"""  # noqa: S608
PATCHABLE = frozenset(QueuePatch.model_fields)


def queue_from_row(row: Any) -> Queue:
    return Queue.model_validate(dict(row))


class PostgresQueueAdmin:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def list_queues(self) -> list[Queue]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(LIST_QUEUES)
        return [queue_from_row(r) for r in rows]

    async def get_queue(self, queue_id: str) -> Queue | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(GET_QUEUE, queue_id)
        return queue_from_row(row) if row else None

    async def create_queue(self, new: QueueCreate) -> Queue | None:
        """The created queue, or None when the id is taken (nothing is changed then).

        The caller fills in the thresholds the request left out.
        """
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                INSERT_QUEUE,
                new.id,
                new.name,
                new.sla_seconds,
                new.no_answer_seconds,
                new.max_hold_seconds,
                new.short_call_seconds,
                new.short_abandon_seconds,
                new.service_level_includes_abandoned,
                new.service_level_target,
            )
        return queue_from_row(row) if row else None

    async def patch_queue(self, queue_id: str, patch: QueuePatch) -> Queue | None:
        """Apply the fields the client sent; None when there is no such queue."""
        changes = patch.changes()
        unknown = set(changes) - PATCHABLE
        if unknown:
            raise ValueError(f"not patchable: {sorted(unknown)}")
        names = sorted(changes)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
        sql = (
            f"UPDATE queues SET {assignments}, updated_at = now()"  # noqa: S608 - names are fixed
            f" WHERE id = $1 RETURNING {QUEUE_COLUMNS}"
        )
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(sql, queue_id, *(changes[n] for n in names))
        return queue_from_row(row) if row else None
