"""The soak's own copy of the platform: what `make run` starts, on free ports, in a data dir
of its own, with every process's output sent to a log file instead of the terminal.

PostgreSQL and Redis are embedded (devstack) unless DATABASE_URL / REDIS_URL are set; with
DATABASE_URL the soak creates a fresh database on that server and drops it at the end, and
it always uses a Redis channel of its own.
"""

import os
import secrets
import shutil
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.local_stack import StartupError, run_migrations
from devstack.managed_process import ManagedProcess
from devstack.network import LOOPBACK, free_port
from devstack.postgres_admin import create_database, drop_database
from devstack.postgres_server import EmbeddedPostgres
from devstack.valkey_server import EmbeddedValkey

START_TIMEOUT_S = 60.0
# The seeded queues' rule thresholds, far above a soak call's life: the workload's scripts
# stay valid (no `call_retransfer` moves a ringing call back to waiting under it), and the
# calls still open when posting stops get no timer events while the soak drains.
QUIET_THRESHOLDS = {
    "SLA_SECONDS": "3600",
    "NO_ANSWER_SECONDS": "3600",
    "MAX_HOLD_SECONDS": "3600",
    "SHORT_CALL_SECONDS": "10",
}
SERVICES = (
    ("api", "call_service.api"),
    ("relay", "call_service.relay"),
    ("timers", "call_service.timers"),
    ("realtime", "realtime_service"),
)


class StackError(RuntimeError):
    """The stack could not be started."""


@dataclass
class SoakStack:
    api_url: str
    realtime_url: str
    keys: DevKeys
    processes: dict[str, ManagedProcess]
    database: str  # "embedded" or "DATABASE_URL (fresh database soak_…)"
    redis: str


def start_stack(cleanup: ExitStack, log: TextIO) -> SoakStack:
    """Start everything; `cleanup` stops it all (in reverse order) when it closes."""
    console = Console(stream=log)
    root = Path(tempfile.mkdtemp(prefix="soak-"))
    root.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    cleanup.callback(shutil.rmtree, root, ignore_errors=True)

    given_db = os.environ.get("DATABASE_URL")
    if given_db:
        name = f"soak_{uuid.uuid4().hex}"
        database_url = create_database(given_db, name)
        cleanup.callback(drop_database, given_db, name)
        database = f"DATABASE_URL (fresh database {name})"
    else:
        postgres = EmbeddedPostgres(root / "postgres", free_port())
        cleanup.callback(postgres.stop)
        print(f"soak: starting embedded PostgreSQL in {root / 'postgres'}", flush=True)
        database_url = postgres.start()
        database = "embedded PostgreSQL"

    redis_url = os.environ.get("REDIS_URL")
    redis = "REDIS_URL"
    if not redis_url:
        valkey = EmbeddedValkey(free_port(), root / "valkey")
        cleanup.callback(valkey.stop)
        print("soak: starting embedded valkey", flush=True)
        redis_url = valkey.start()
        redis = "embedded valkey"

    keys = DevKeys.generate()
    api_port, realtime_port = free_port(), free_port()
    env = {
        **QUIET_THRESHOLDS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": f"soak-{secrets.token_hex(8)}",
        "API_KEYS": keys.api_keys_spec(),
        "CALL_SERVICE_PORT": str(api_port),
        "REALTIME_PORT": str(realtime_port),
        "LOG_FORMAT": "json",
    }
    for variable in ("RELAY_METRICS_PORT", "TIMERS_METRICS_PORT", "WEBHOOKS_METRICS_PORT"):
        env[variable] = ""  # never collide with a `make run` on the same machine

    print("soak: running migrations", flush=True)
    try:
        run_migrations(env, console)
    except StartupError as exc:
        raise StackError(f"{exc}: see the log") from exc

    api_url = f"http://{LOOPBACK}:{api_port}"
    realtime_url = f"http://{LOOPBACK}:{realtime_port}"
    health = {"api": f"{api_url}/health", "realtime": f"{realtime_url}/health"}
    processes = {
        name: ManagedProcess(name, module, env, health.get(name), console=console)
        for name, module in SERVICES
    }
    print("soak: starting " + ", ".join(processes), flush=True)
    for process in processes.values():
        process.start()
        cleanup.callback(process.stop)
    for process in processes.values():
        process.wait_healthy(START_TIMEOUT_S)
    return SoakStack(api_url, realtime_url, keys, processes, database, redis)
