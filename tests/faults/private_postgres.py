"""An embedded PostgreSQL of the test's own, which the test may stop and start again (a
database on it: `devstack.migrations.migrated_database`). Every server and process is real;
nothing is mocked or patched."""

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from devstack.network import free_port
from devstack.postgres_server import EmbeddedPostgres


@contextlib.contextmanager
def private_postgres() -> Iterator[EmbeddedPostgres]:
    """An embedded PostgreSQL of the test's own (never the machine's shared server), which the
    test may `.stop()` and `.start()` again on the same port."""
    root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    root.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    server = EmbeddedPostgres(root / "data", free_port(), durable=False)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
