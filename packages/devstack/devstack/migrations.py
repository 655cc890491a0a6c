"""The call service's schema, applied as an operator applies it: `python -m call_service.migrate`.

devstack never imports the call service; it runs the service's public entry points as
processes. Migrating costs one interpreter start (about half a second), so the tests'
fixtures migrate one template database per session and copy it (`CREATE DATABASE …
TEMPLATE`) for every database they hand out.
"""

import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from devstack.console import Console
from devstack.managed_process import ManagedProcess
from devstack.postgres_admin import create_database, drop_database

MIGRATE_MODULE = "call_service.migrate"
MIGRATION_TIMEOUT_S = 120.0
# Blank values mean the call service's defaults: the seeded queues' thresholds stay the
# same whatever the caller's shell sets (a test's expectations are written against them).
DEFAULT_THRESHOLDS_ENV = {
    "SLA_SECONDS": "",
    "NO_ANSWER_SECONDS": "",
    "MAX_HOLD_SECONDS": "",
    "SHORT_CALL_SECONDS": "",
}


class MigrationError(RuntimeError):
    """`python -m call_service.migrate` did not exit 0."""


def run_migrations(
    database_url: str,
    env: Mapping[str, str] | None = None,
    *,
    console: Console | None = None,
    output_file: Path | None = None,
    timeout: float = MIGRATION_TIMEOUT_S,
) -> None:
    """Apply the migrations to `database_url` (idempotent); `env` is laid over this
    environment (the seeded queues read SLA_SECONDS and the like from it)."""
    migrate = ManagedProcess(
        "migrate",
        MIGRATE_MODULE,
        {**(env or {}), "DATABASE_URL": database_url},
        console=console,
        output_file=output_file,
    )
    try:
        code = migrate.run(timeout)
    except subprocess.TimeoutExpired as exc:
        raise MigrationError(f"migrations still running after {timeout:.0f}s") from exc
    if code != 0:
        tail = "\n  ".join(migrate.recent_output()[-10:])
        raise MigrationError(
            f"migrations failed (exit code {code})" + (f"; last output:\n  {tail}" if tail else "")
        )


@contextmanager
def migrated_database(
    server_url: str, prefix: str = "test", *, template: str | None = None
) -> Iterator[str]:
    """A database of its own on `server_url`, migrated, dropped afterwards; its URL.

    With `template` (an already migrated database on the same server) it is a copy of
    that database instead: the same schema and seeded rows, without running anything.
    """
    name = f"{prefix}_{uuid.uuid4().hex}"
    url = create_database(server_url, name, template=template)
    try:
        if template is None:
            run_migrations(url, DEFAULT_THRESHOLDS_ENV)
        yield url
    finally:
        drop_database(server_url, name)
