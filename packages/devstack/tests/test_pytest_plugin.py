import asyncio

import asyncpg

from call_service.migrate import migration_files
from devstack.network import redis_answers_ping
from devstack.valkey_server import EmbeddedValkey

SEEDED_BY_MIGRATIONS = {"schema_migrations", "queues"}


async def _table_rows(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return {
            t["tablename"]: await connection.fetchval(f'SELECT count(*) FROM "{t["tablename"]}"')
            for t in tables
        }
    finally:
        await connection.close()


async def test_a_fresh_database_has_every_migration_and_no_data(
    fresh_database_url: str,
) -> None:
    connection = await asyncpg.connect(fresh_database_url)
    try:
        versions = [
            r["version"]
            for r in await connection.fetch(
                "SELECT version FROM schema_migrations ORDER BY version"
            )
        ]
    finally:
        await connection.close()

    assert versions == [version for version, _sql in migration_files()]
    rows = await _table_rows(fresh_database_url)
    assert {t: n for t, n in rows.items() if t not in SEEDED_BY_MIGRATIONS and n} == {}


def test_sync_tests_get_their_own_fresh_database_too(
    fresh_database_url: str, database_url: str
) -> None:
    assert fresh_database_url != database_url
    rows = asyncio.run(_table_rows(fresh_database_url))
    assert "schema_migrations" in rows


def test_redis_answers_ping(redis_url: str) -> None:
    assert redis_answers_ping(redis_url)


def test_each_test_gets_its_own_channel(redis_channel: str) -> None:
    assert redis_channel.startswith("test-")


def test_private_redis_can_be_stopped_and_started_on_the_same_url(
    private_redis: EmbeddedValkey,
) -> None:
    url = private_redis.url
    assert redis_answers_ping(url)

    private_redis.stop()
    assert not redis_answers_ping(url)

    private_redis.start()
    assert private_redis.url == url
    assert redis_answers_ping(url)


def test_private_redis_survives_a_kill_and_restart(private_redis: EmbeddedValkey) -> None:
    private_redis.kill()
    assert not redis_answers_ping(private_redis.url)

    private_redis.start()
    assert redis_answers_ping(private_redis.url)
