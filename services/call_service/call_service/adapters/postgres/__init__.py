"""PostgreSQL adapters (asyncpg): pool, unit of work, repositories, outbox. SQL is explicit."""
