"""A private copy of the platform for the soak and the benchmark: what `make run` starts (api,
relay, timers, webhooks, realtime), on free ports, in a data dir of its own.

PostgreSQL and Redis are embedded (devstack) unless DATABASE_URL / REDIS_URL are set; with
DATABASE_URL a fresh database is created on that server and dropped at the end, and the stack
always uses a Redis channel of its own. Any other variable of the caller's environment reaches
the processes unchanged (API_WORKERS, LOG_LEVEL, RELAY_BATCH_SIZE …), so a knob added to a
service is benchmarked without touching this file; `StackOptions.env` sets more.

The processes' output goes either to one stream, each line prefixed with the process's name
(the soak's single log), or straight from each child to `<log_dir>/<name>.log` (the benchmark:
no thread in this process spends the CPU the load generator needs on forwarding log lines).
"""

import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.local_stack import SERVICES, StartupError, run_migrations
from devstack.managed_process import HealthTimeoutError, ManagedProcess, ProcessExitedError
from devstack.network import LOOPBACK, free_port
from devstack.postgres_admin import create_database, drop_database
from devstack.postgres_server import EmbeddedPostgres, EmbeddedPostgresError
from devstack.valkey_server import EmbeddedValkey, EmbeddedValkeyError

START_TIMEOUT_S = 60.0
# The seeded queues' rule thresholds, far above a scripted call's life: workloads stay valid
# (no `call_retransfer` moves a ringing call back to waiting under them), and calls still
# open when posting stops get no timer events while the run drains.
QUIET_THRESHOLDS = {
    "SLA_SECONDS": "3600",
    "NO_ANSWER_SECONDS": "3600",
    "MAX_HOLD_SECONDS": "3600",
    "SHORT_CALL_SECONDS": "10",
}
# Recorded with results: the knobs of the caller's environment that shaped the run.
KNOB_PREFIXES = (
    "API_",
    "ASYNCIO_",
    "DB_",
    "LOG_",
    "RATE_LIMIT_",
    "REALTIME_",
    "RELAY_",
    "TIMERS_",
    "WEBHOOKS_",
)


class StackError(RuntimeError):
    """The stack could not be started."""


# What starting or running the stack can raise that the soak and the bench report in one
# line (and exit 1) instead of a traceback; RuntimeError covers StackError and the parts' own.
STACK_FAILURES: tuple[type[BaseException], ...] = (
    RuntimeError,
    EmbeddedPostgresError,
    EmbeddedValkeyError,
    ProcessExitedError,
    HealthTimeoutError,
    OSError,
)


@dataclass(frozen=True)
class StackOptions:
    name: str = "soak"
    """Prefix of the temp dir, database, Redis channel and progress lines."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Laid over the processes' environment, after the stack's own variables."""
    log_dir: Path | None = None
    """Each process writes `<log_dir>/<name>.log`; None: every line goes to `log`."""


@dataclass
class Stack:
    api_url: str
    realtime_url: str
    keys: DevKeys
    processes: dict[str, ManagedProcess]
    database: str  # "embedded PostgreSQL" or "DATABASE_URL (fresh database soak_…)"
    redis: str
    database_url: str
    env: dict[str, str]
    options: StackOptions
    cleanup: ExitStack
    console: Console

    def start_realtime(self, name: str) -> tuple[ManagedProcess, str]:
        """One more realtime process on a free port, healthy, listed in `processes`; stopped
        with the stack (or earlier by the caller). Its URL is the second value."""
        port = free_port()
        url = f"http://{LOOPBACK}:{port}"
        process = self._process(name, "realtime_service", {"REALTIME_PORT": str(port)}, url)
        self.processes[name] = process
        process.start()
        self.cleanup.callback(process.stop)
        process.wait_healthy(START_TIMEOUT_S)
        return process, url

    def _process(
        self, name: str, module: str, overrides: Mapping[str, str], url: str | None
    ) -> ManagedProcess:
        log_dir = self.options.log_dir
        return ManagedProcess(
            name,
            module,
            {**self.env, **overrides},
            f"{url}/health" if url else None,
            console=self.console,
            output_file=log_dir / f"{name}.log" if log_dir else None,
        )


def environment_knobs() -> dict[str, str]:
    """Variables of this environment that configure the services (keys and URLs left out)."""
    return {
        k: v
        for k, v in sorted(os.environ.items())
        if (k.startswith(KNOB_PREFIXES) or k.endswith("_WORKERS")) and k != "API_KEYS"
    }


def start_stack(cleanup: ExitStack, log: TextIO, options: StackOptions | None = None) -> Stack:
    """Start everything; `cleanup` stops it all (in reverse order) when it closes."""
    options = options or StackOptions()
    name = options.name
    console = Console(stream=log)
    root = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    root.chmod(0o711)  # as root, the embedded PostgreSQL runs as another user
    cleanup.callback(shutil.rmtree, root, ignore_errors=True)

    given_db = os.environ.get("DATABASE_URL")
    if given_db:
        db_name = f"{name}_{uuid.uuid4().hex}"
        database_url = create_database(given_db, db_name)
        cleanup.callback(drop_database, given_db, db_name)
        database = f"DATABASE_URL (fresh database {db_name})"
    else:
        postgres = EmbeddedPostgres(root / "postgres", free_port())
        cleanup.callback(postgres.stop)
        print(f"{name}: starting embedded PostgreSQL in {root / 'postgres'}", flush=True)
        database_url = postgres.start()
        database = "embedded PostgreSQL"

    redis_url = os.environ.get("REDIS_URL")
    redis = "REDIS_URL"
    if not redis_url:
        valkey = EmbeddedValkey(free_port(), root / "valkey")
        cleanup.callback(valkey.stop)
        print(f"{name}: starting embedded valkey", flush=True)
        redis_url = valkey.start()
        redis = "embedded valkey"

    keys = DevKeys.generate()
    api_port, realtime_port = free_port(), free_port()
    env = {
        **QUIET_THRESHOLDS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": f"{name}-{secrets.token_hex(8)}",
        "API_KEYS": keys.api_keys_spec(),
        "CALL_SERVICE_PORT": str(api_port),
        "REALTIME_PORT": str(realtime_port),
        "LOG_FORMAT": "json",
        "API_WORKERS": os.environ.get("API_WORKERS", "0"),  # as `make run`: one per core
    }
    for variable in ("RELAY_METRICS_PORT", "TIMERS_METRICS_PORT", "WEBHOOKS_METRICS_PORT"):
        env[variable] = ""  # never collide with a `make run` on the same machine
    env.update(options.env)

    print(f"{name}: running migrations", flush=True)
    try:
        run_migrations(env, console)
    except StartupError as exc:
        raise StackError(f"{exc}: see the log") from exc

    api_url = f"http://{LOOPBACK}:{api_port}"
    realtime_url = f"http://{LOOPBACK}:{realtime_port}"
    stack = Stack(
        api_url,
        realtime_url,
        keys,
        {},
        database,
        redis,
        database_url,
        env,
        options,
        cleanup,
        console,
    )
    urls = {"api": api_url, "realtime": realtime_url}
    for service in SERVICES:
        stack.processes[service.name] = stack._process(
            service.name, service.module, {}, urls.get(service.name)
        )
    print(f"{name}: starting " + ", ".join(stack.processes), flush=True)
    for process in stack.processes.values():
        process.start()
        cleanup.callback(process.stop)
    for process in stack.processes.values():
        process.wait_healthy(START_TIMEOUT_S)
    return stack
