"""agents: running totals updated by deltas in the event transaction, and their reads.

Rows are touched in agent-id order so two transactions that both touch agents A
and B (a transfer from A to B racing one from B to A) cannot deadlock.
"""

from typing import Any

from call_service.domain.agents import AgentChange
from contracts.alerts import Agent

APPLY = """
INSERT INTO agents AS a (id, status, current_call_id, offers, answered, missed, wait_total,
                         handled, handle_total, hold_total, short_calls, updated_at)
VALUES ($1, coalesce($10, 'idle'), CASE WHEN $10 IS NULL THEN NULL ELSE $11 END,
        $2, $3, $4, $5, $6, $7, $8, $9, $12)
ON CONFLICT (id) DO UPDATE SET
    offers = a.offers + $2, answered = a.answered + $3, missed = a.missed + $4,
    wait_total = a.wait_total + $5, handled = a.handled + $6,
    handle_total = a.handle_total + $7, hold_total = a.hold_total + $8,
    short_calls = a.short_calls + $9,
    status = CASE
        WHEN $10 IS NOT NULL THEN $10
        WHEN $13 AND a.current_call_id = $11 THEN 'idle'
        ELSE a.status END,
    current_call_id = CASE
        WHEN $10 IS NOT NULL THEN $11
        WHEN $13 AND a.current_call_id = $11 THEN NULL
        ELSE a.current_call_id END,
    updated_at = $12
"""
COLUMNS = (
    "id, status, current_call_id, offers, answered, missed, wait_total, handled,"
    " handle_total, hold_total, short_calls, updated_at"
)
GET = f"SELECT {COLUMNS} FROM agents WHERE id = $1"  # noqa: S608
LIST = f"SELECT {COLUMNS} FROM agents ORDER BY id LIMIT $1"  # noqa: S608


class PostgresAgentsRepository:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def apply(self, changes: list[AgentChange], call_id: str, at: Any) -> None:
        for change in sorted(changes, key=lambda c: c.agent_id):
            await self._conn.execute(
                APPLY,
                change.agent_id,
                change.offers,
                change.answered,
                change.missed,
                change.wait,
                change.handled,
                change.handle_time,
                change.hold,
                change.short_calls,
                change.status.value if change.status else None,
                call_id,
                at,
                change.release,
            )


def agent_from_row(row: Any) -> Agent:
    def ratio(num: float, den: float) -> float | None:
        return num / den if den else None

    return Agent(
        id=row["id"],
        status=row["status"],
        current_call_id=row["current_call_id"],
        offers=row["offers"],
        answered=row["answered"],
        missed=row["missed"],
        answer_rate=ratio(row["answered"], row["offers"]),
        average_wait_s=ratio(row["wait_total"], row["answered"]),
        handled=row["handled"],
        average_handle_s=ratio(row["handle_total"], row["handled"]),
        hold_total_s=row["hold_total"],
        short_calls=row["short_calls"],
        updated_at=row["updated_at"],
    )


class PostgresAgentReads:
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def get_agent(self, agent_id: str) -> Agent | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(GET, agent_id)
        return agent_from_row(row) if row else None

    async def list_agents(self, limit: int) -> list[Agent]:
        async with self._pool.acquire() as conn:
            return [agent_from_row(r) for r in await conn.fetch(LIST, limit)]
