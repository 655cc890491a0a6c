"""The relay's claim keeps a per-key index probe even when the statistics are stale.

Seen in the benchmark: analysed while every row was published, then a backlog of
20,000 rows → the planner scanned every pending row per head (1-3 s per claim).
The claim must look each key up through outbox_pending_key_idx whatever the
statistics say; checked on the plan, not on a timing.
"""

import asyncpg

from call_service.adapters.postgres.outbox import CLAIM


async def test_claim_probes_each_key_through_its_index_with_stale_statistics(
    fresh_database_url: str,
) -> None:
    conn = await asyncpg.connect(fresh_database_url)
    try:
        await conn.execute(
            """
            INSERT INTO outbox (ordering_key, kind, payload, published_at)
            SELECT 'old-' || g, 'call_event', '{}', now() FROM generate_series(1, 5000) g;
            ANALYZE outbox;
            INSERT INTO outbox (ordering_key, kind, payload)
            SELECT 'new-' || g, 'call_event', '{}' FROM generate_series(1, 5000) g;
            """
        )
        async with conn.transaction():
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {CLAIM}", 500, 500)
        plan = "\n".join(r[0] for r in rows)
    finally:
        await conn.close()
    assert plan.count("outbox_pending_key_idx") == 2, plan
    assert plan.count("Index Cond: (ordering_key = ") == 2, plan
    assert "Rows Removed by Join Filter" not in plan, plan
