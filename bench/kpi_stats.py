"""Benchmark GET /api/stats on a million calls: p50/p99 latency per window.

    UV_PYTHON_DOWNLOADS=never uv run python bench/kpi_stats.py [--calls N] [--runs N]

Uses DATABASE_URL when set (calls are added to it: use a scratch database);
otherwise creates a scratch database on the local PostgreSQL at 127.0.0.1:5432,
or on an embedded one, and drops it at the end. The data: N calls over the last
30 days across the default queues (mostly handled, some abandoned, a few still
waiting), inserted with generate_series and a fixed seed, then VACUUM ANALYZE
(the visibility map lets the KPI index serve index-only scans). Each window is
asked `--runs` times through the real app over HTTP, after a warm-up.
"""

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from call_service.adapters.postgres.stats_reads import QUEUE_WINDOW_STATS
from call_service.api.app import create_app
from call_service.migrate import apply_migrations
from call_service.settings import load_settings
from devstack.network import free_port
from devstack.postgres_admin import accepts_connections, create_database, drop_database
from devstack.postgres_server import EmbeddedPostgres

LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
KEY = "bench-key"

GENERATE_CALLS = """
SELECT setseed(0.42);
INSERT INTO calls (id, status, queue_id, media, agent_id, start_time, answered_at, end_time,
                   end_reason, wait_time, hold_total, transfer_count, last_seq, updated_at)
SELECT 'bench-' || g,
       CASE WHEN live THEN 'waiting' ELSE 'ended' END,
       (ARRAY['medical_spanish', 'medical_english', 'legal_spanish', 'legal_english'])
           [1 + (g % 4)],
       CASE WHEN g % 5 = 0 THEN 'video' ELSE 'voice' END,
       CASE WHEN answered THEN 'agent-' || (g % 200) END,
       start_time,
       CASE WHEN answered THEN start_time + wait * interval '1 second' END,
       CASE WHEN NOT live THEN start_time + (wait + talk) * interval '1 second' END,
       CASE WHEN live THEN NULL WHEN answered THEN 'completed'
            WHEN r < 0.97 THEN 'abandoned' ELSE 'failed' END,
       CASE WHEN answered THEN wait END,
       CASE WHEN answered AND r < 0.2 THEN talk / 10 ELSE 0 END,
       CASE WHEN answered AND r < 0.1 THEN 1 ELSE 0 END,
       3, now()
FROM (
    SELECT g, r, wait, talk,
           now() - (random() * 30 * 86400) * interval '1 second' AS start_time,
           r < 0.80 AS answered,
           r >= 0.999 AS live
    FROM (
        SELECT g, random() AS r, round((random() * 90)::numeric, 1)::float8 AS wait,
               (30 + random() * 600)::float8 AS talk
        FROM generate_series(1, $1) AS g
    ) raw
) facts
"""


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _load(database_url: str, calls: int) -> None:
    await apply_migrations(database_url)
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        statements = GENERATE_CALLS.split(";\n", 1)
        await conn.execute(statements[0])
        await conn.execute(statements[1], calls)
        print(f"inserted {calls:,} calls in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE calls")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        total = await conn.fetchval("SELECT count(*) FROM calls")
        per_day = await conn.fetchval(
            "SELECT count(*) FROM calls WHERE start_time >= now() - interval '24 hours'"
        )
        print(f"calls in table: {total:,}; started in the last 24 h: {per_day:,}")
        plan = await conn.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS) {QUEUE_WINDOW_STATS}",
            datetime.now(UTC) - timedelta(hours=24),
            datetime.now(UTC),
            None,
        )
        print("\nplan of the 24 h query (scans and timing):")
        for row in plan:
            line = row[0]
            if "Scan" in line or "Execution Time" in line or "Heap Fetches" in line:
                print(f"  {line.strip()}")
    finally:
        await conn.close()


async def _measure(database_url: str, runs: int) -> None:
    # The stats path needs no Redis; the client is created lazily and never used.
    env = {"DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    settings = load_settings({**env, "API_KEYS": f"{KEY}:admin"})
    app = create_app(settings)
    client: TestClient[Any, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    try:
        queries = [
            "window=15m",
            "window=1h",
            "window=24h",
            "window=24h&queue_id=medical_spanish",
            _span_query(7),
            _span_query(30),
        ]
        print(f"\n{'query':<44} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  offered")
        for query in queries:
            offered = 0
            for _ in range(3):
                response = await client.get(f"/api/stats?{query}", headers={"X-API-Key": KEY})
                assert response.status == 200, await response.text()
                offered = (await response.json())["overall"]["offered"]
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await client.get(f"/api/stats?{query}", headers={"X-API-Key": KEY})
                await response.read()
                samples.append((time.perf_counter() - started) * 1000)
            print(
                f"{query[:44]:<44} {statistics.median(samples):8.1f} "
                f"{_percentile(samples, 99):8.1f} {max(samples):8.1f}  {offered:,}"
            )
    finally:
        await client.close()


def _span_query(days: int) -> str:
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    return f"from={start:%Y-%m-%dT%H:%M:%SZ}&to={end:%Y-%m-%dT%H:%M:%SZ}"


def _server_url(stack: ExitStack) -> str:
    """The local PostgreSQL, or an embedded one that lives as long as `stack`."""
    if accepts_connections(LOCAL_POSTGRES_URL):
        return LOCAL_POSTGRES_URL
    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pg-")))
    root.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    server = EmbeddedPostgres(root / "data", free_port(), durable=False)
    return str(stack.enter_context(server).url)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    quiet = structlog.make_filtering_bound_logger(logging.WARNING)
    structlog.configure(wrapper_class=quiet)
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            server_url = _server_url(stack)
            name = f"bench_{uuid.uuid4().hex}"
            database_url = create_database(server_url, name)
            stack.callback(drop_database, server_url, name)
            print(f"scratch database {name}")
        asyncio.run(_load(database_url, args.calls))
        asyncio.run(_measure(database_url, args.runs))


if __name__ == "__main__":
    main()
