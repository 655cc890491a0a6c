"""Real servers for the tests (never mocks), loaded by the root `conftest.py`.

Each server fixture takes, in order: its TEST_* variable; the server this machine
already runs on the standard local port; an embedded server started for the session.
Fixtures are plain functions, so sync and async (pytest-asyncio) tests both use them.

- `pg_server_url` (session): admin URL of a PostgreSQL server.
- `database_url` (session): a new database with migrations applied, dropped at the end.
- `fresh_database_url` (function): the same, one per test, for tests that need it empty.
  Both are copies of one template database migrated once per session
  (`python -m call_service.migrate`, see `devstack.migrations`).
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

from devstack.migrations import migrated_database
from devstack.network import free_port, redis_answers_ping
from devstack.postgres_admin import accepts_connections, database_name
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
def migrated_template(pg_server_url: str) -> Iterator[str]:
    """The name of a database migrated once for the session, which the others copy."""
    with migrated_database(pg_server_url, "test_template") as url:
        yield database_name(url)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str, migrated_template: str) -> Iterator[str]:
    with migrated_database(pg_server_url, template=migrated_template) as url:
        yield url


@pytest.fixture
def fresh_database_url(pg_server_url: str, migrated_template: str) -> Iterator[str]:
    with migrated_database(pg_server_url, template=migrated_template) as url:
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
def _scratch_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
