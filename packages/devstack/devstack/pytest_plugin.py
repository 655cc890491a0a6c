"""Real servers for the tests (never mocks), loaded by the root `conftest.py`.

Each server fixture takes, in order: its TEST_* variable; the server this machine
already runs on the standard local port; an embedded server started for the session.
Fixtures are plain functions, so sync and async (pytest-asyncio) tests both use them.

- `pg_server_url` (session): admin URL of a PostgreSQL server.
- `database_url` (session): a new database with migrations applied, dropped at the end.
- `fresh_database_url` (function): the same, one per test, for tests that need it empty.
- `redis_url` (session), `redis_channel` (function: a channel name no other test uses).
- `private_redis` (function): a valkey server of the test's own, which the test may
  `.stop()`, `.kill()` and `.start()` again on the same port (`.url`).
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devstack.network import free_port, redis_answers_ping
from devstack.postgres_admin import (
    accepts_connections,
    create_database,
    drop_database,
    run_blocking,
)
from devstack.postgres_server import EmbeddedPostgres
from devstack.valkey_server import EmbeddedValkey

LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
    elif accepts_connections(LOCAL_POSTGRES_URL):
        yield LOCAL_POSTGRES_URL
    else:
        with (
            _scratch_dir("devstack-pg-") as root,
            EmbeddedPostgres(root / "data", free_port(), durable=False) as server,
        ):
            yield server.url


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    with _migrated_database(pg_server_url) as url:
        yield url


@pytest.fixture
def fresh_database_url(pg_server_url: str) -> Iterator[str]:
    with _migrated_database(pg_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
    elif redis_answers_ping(LOCAL_REDIS_URL):
        yield LOCAL_REDIS_URL
    else:
        with EmbeddedValkey(free_port()) as server:
            yield server.url


@pytest.fixture
def redis_channel() -> str:
    """Tests share one Redis; a channel of their own keeps their messages apart."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def private_redis() -> Iterator[EmbeddedValkey]:
    with _scratch_dir("devstack-valkey-") as root:
        server = EmbeddedValkey(free_port(), root / "valkey")
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def _migrated_database(server_url: str) -> Iterator[str]:
    from call_service.migrate import apply_migrations  # the service owns its schema

    name = f"test_{uuid.uuid4().hex}"
    url = create_database(server_url, name)
    try:
        run_blocking(lambda: apply_migrations(url))
        yield url
    finally:
        drop_database(server_url, name)


@contextmanager
def _scratch_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
