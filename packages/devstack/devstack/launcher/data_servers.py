"""The PostgreSQL database and the Redis a stack runs against: given, or embedded servers.

A given database is used as is, or (`fresh_database`) a database of the stack's own is
created on its server and dropped at stop. Embedded servers live in `data_dir` (kept, as
`make run` keeps `.data/`) or in a temp dir removed at stop.
"""

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devstack.launcher.config import StackConfig
from devstack.launcher.failures import Teardown
from devstack.network import free_port
from devstack.postgres_admin import create_database, drop_database
from devstack.postgres_server import EmbeddedPostgres
from devstack.valkey_server import EmbeddedValkey


@dataclass(frozen=True)
class DataServers:
    database_url: str
    redis_url: str
    database: str
    """Says where the data is: "embedded PostgreSQL", "fresh database … on the given
    server" or "the given database"."""
    redis: str
    """"embedded valkey" or "the given Redis"."""


def provide_data_servers(
    config: StackConfig, teardown: Teardown, announce: Callable[[str], None]
) -> DataServers:
    """Create or start what `config` asks for; `teardown` undoes it."""
    scratch = _ScratchDir(config, teardown)
    if config.database_url is None:
        postgres = EmbeddedPostgres(
            scratch.path() / "postgres", config.postgres_port or free_port()
        )
        teardown.add(postgres.stop)
        announce(f"{config.name}: starting embedded PostgreSQL (data in {postgres.data_dir})")
        database_url, database = postgres.start(), "embedded PostgreSQL"
    elif config.fresh_database:
        server_url, db_name = config.database_url, f"{config.name}_{uuid.uuid4().hex}"
        database_url = create_database(server_url, db_name)
        teardown.add(lambda: drop_database(server_url, db_name))
        database = f"fresh database {db_name} on the given server"
    else:
        database_url, database = config.database_url, "the given database"

    if config.redis_url is None:
        valkey = EmbeddedValkey(config.valkey_port or free_port(), scratch.path() / "valkey")
        teardown.add(valkey.stop)
        announce(f"{config.name}: starting embedded valkey (Redis-compatible)")
        redis_url, redis = valkey.start(), "embedded valkey"
    else:
        redis_url, redis = config.redis_url, "the given Redis"
    return DataServers(database_url, redis_url, database, redis)


class _ScratchDir:
    """`config.data_dir`, or a temp dir made on first use and removed at stop."""

    def __init__(self, config: StackConfig, teardown: Teardown) -> None:
        self._config = config
        self._teardown = teardown
        self._path = config.data_dir

    def path(self) -> Path:
        if self._path is None:
            path = Path(tempfile.mkdtemp(prefix=f"{self._config.name}-"))
            path.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
            self._teardown.add(lambda: shutil.rmtree(path, ignore_errors=True))
            self._path = path
        return self._path
