"""Versioned SQL migrations: numbered files in `call_service/migrations/`, applied once each.

Idempotent: applied versions are recorded in `schema_migrations`, and an
advisory lock makes concurrent runs (several containers starting at once) wait
for each other instead of racing.
"""

from importlib import resources

import asyncpg
import structlog

from call_service.adapters.postgres.queues_repository import seed_default_queues
from call_service.domain.call import DEFAULT_THRESHOLDS, Thresholds

_log = structlog.get_logger(__name__)
_LOCK_KEY = 0x63616C6C  # any constant shared by every migrator of this schema


def migration_files() -> list[tuple[str, str]]:
    """(version, sql) in order; the version is the file name without `.sql`."""
    folder = resources.files("call_service") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), (folder / name).read_text()) for name in names]


async def apply_migrations(
    database_url: str, defaults: Thresholds = DEFAULT_THRESHOLDS
) -> list[str]:
    """Apply what is missing, seed the default queues; return the versions applied now."""
    conn = await asyncpg.connect(database_url)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in migration_files():
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            _log.info("migration_applied", version=version)
            applied.append(version)
        await seed_default_queues(conn, defaults)
        # A handful of queue rows has no statistics until autovacuum gets to it; the
        # planner then guesses hundreds of rows and pays JIT on every KPI query.
        await conn.execute("ANALYZE queues")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
        await conn.close()
    return applied
