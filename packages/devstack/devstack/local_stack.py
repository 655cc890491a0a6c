"""`make run`: the whole platform on this machine, with embedded servers for what is missing.

Order: PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set), dev
API keys (unless API_KEYS is set), the dashboard's install and build (when stale),
migrations, then the five processes and the dashboard. Ctrl-C or
SIGTERM stops everything and exits 0; a process that dies by itself stops everything
and exits 1, so a crash is never left half-running.
"""

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import SubprocessError
from types import FrameType

from devstack import dashboard
from devstack.console import Console
from devstack.dev_keys import DevKeys, DevKeysError, load_or_create
from devstack.managed_process import HealthTimeoutError, ManagedProcess, ProcessExitedError
from devstack.network import LOOPBACK, port_is_free
from devstack.postgres_server import EmbeddedPostgres, EmbeddedPostgresError
from devstack.supervisor import Supervisor
from devstack.valkey_server import EmbeddedValkey, EmbeddedValkeyError

POSTGRES_PORT = 54329  # preferred ports of the embedded servers; any free one if taken
VALKEY_PORT = 63790
DASHBOARD_PORT = 3000
MIGRATION_TIMEOUT_S = 120.0
START_TIMEOUT_S = 60.0


class StartupError(RuntimeError):
    """Something the stack needs is not there; the message says what to do."""


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived."""


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port_variable: str | None = None
    default_port: int | None = None


SERVICES = (
    Service("api", "call_service.api", "CALL_SERVICE_PORT", 8000),
    Service("relay", "call_service.relay"),
    Service("timers", "call_service.timers"),
    Service("webhooks", "call_service.webhooks"),
    Service("realtime", "realtime_service", "REALTIME_PORT", 8001),
)


def run(data_dir: Path, console: Console | None = None) -> int:
    """The `python -m devstack run` command; its exit code."""
    console = console or Console()
    with _stop_signals():
        with ExitStack() as cleanup:
            code = _run(data_dir, console, cleanup)
            if code == 0:
                console.block("devstack: stopping…")
        console.block("devstack: stopped")
    return code


def _run(data_dir: Path, console: Console, cleanup: ExitStack) -> int:
    try:
        env, keys = _environment(data_dir, console, cleanup)
        _require_free_ports(env)
        web = _dashboard(env, console)
        run_migrations(env, console)
        processes = [
            ManagedProcess(s.name, s.module, env, _health_url(env, s), console=console)
            for s in SERVICES
        ]
        supervisor = Supervisor([*processes, *([web] if web else [])])
        cleanup.callback(_reporting_errors, console, supervisor.stop_all)
        supervisor.start_all(START_TIMEOUT_S)
        console.block(_banner(env, keys, data_dir, dashboard_running=web is not None))
        dead = supervisor.wait_for_exit()
        console.block(
            f"devstack: {dead.name} exited unexpectedly with code {dead.returncode};"
            " stopping everything"
        )
        return 1
    except StopRequested:
        return 0
    except (
        StartupError,
        DevKeysError,
        dashboard.DashboardError,
        EmbeddedPostgresError,
        EmbeddedValkeyError,
        ProcessExitedError,
        HealthTimeoutError,
        OSError,
    ) as exc:
        console.block(f"devstack: {exc}")
        return 1
    finally:
        # From here on the cleanup runs; a second Ctrl-C must not cut it short.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


def _reporting_errors(console: Console, stop: Callable[[], object]) -> None:
    """Run one clean-up step; a failure is reported and the remaining steps still run."""
    try:
        stop()
    except (EmbeddedPostgresError, EmbeddedValkeyError, OSError, SubprocessError) as exc:
        console.block(f"devstack: while stopping: {exc}")


def _environment(
    data_dir: Path, console: Console, cleanup: ExitStack
) -> tuple[dict[str, str], DevKeys | None]:
    env = dict(os.environ)
    env.setdefault("LOG_FORMAT", "console")
    env.setdefault("API_WORKERS", "0")  # one api process per core (at most 4)
    # Webhooks reach public addresses only; the demo receiver listens on 127.0.0.1.
    env.setdefault("WEBHOOK_ALLOWED_HOSTS", LOOPBACK)
    for service in SERVICES:
        if service.port_variable is not None:
            env.setdefault(service.port_variable, str(service.default_port))
    env.setdefault("DASHBOARD_PORT", str(DASHBOARD_PORT))
    if not env.get("DATABASE_URL"):
        postgres = EmbeddedPostgres(data_dir / "postgres", POSTGRES_PORT)
        cleanup.callback(_reporting_errors, console, postgres.stop)
        console.block(f"devstack: starting embedded PostgreSQL (data in {postgres.data_dir})")
        env["DATABASE_URL"] = postgres.start()
    if not env.get("REDIS_URL"):
        valkey = EmbeddedValkey(VALKEY_PORT, data_dir / "valkey")
        cleanup.callback(_reporting_errors, console, valkey.stop)
        console.block("devstack: starting embedded valkey (Redis-compatible)")
        env["REDIS_URL"] = valkey.start()
    keys = None
    if not env.get("API_KEYS"):
        keys = load_or_create(data_dir / "api_keys.json")
        env["API_KEYS"] = keys.api_keys_spec()
    return env, keys


def _require_free_ports(env: dict[str, str]) -> None:
    wanted = [(s.name, s.port_variable) for s in SERVICES if s.port_variable is not None]
    for name, variable in [*wanted, ("dashboard", "DASHBOARD_PORT")]:
        port = int(env[variable])
        if not port_is_free(port):
            raise StartupError(
                f"port {port} for {name} is in use: stop what holds it or set {variable}"
            )


def _dashboard(env: dict[str, str], console: Console) -> ManagedProcess | None:
    """The dashboard's server, installed and built as needed; None without npm."""
    frontend = dashboard.frontend_dir()
    if not dashboard.npm_available():
        console.block("devstack: npm not found: the dashboard is skipped (install Node.js 20)")
        return None
    dashboard.prepare(frontend, env, console)
    return dashboard.server(frontend, env, console)


def run_migrations(env: dict[str, str], console: Console) -> None:
    """`python -m call_service.migrate` with `env`; StartupError unless it exits 0."""
    migrate = ManagedProcess("migrate", "call_service.migrate", env, console=console)
    migrate.start()
    try:
        code = migrate.wait(MIGRATION_TIMEOUT_S)
    finally:
        migrate.stop()
    if code != 0:
        raise StartupError(f"migrations failed (exit code {code})")


def _health_url(env: dict[str, str], service: Service) -> str | None:
    if service.port_variable is None:
        return None
    return f"http://{LOOPBACK}:{env[service.port_variable]}/health"


def _banner(
    env: dict[str, str], keys: DevKeys | None, data_dir: Path, *, dashboard_running: bool = True
) -> str:
    api = f"http://{LOOPBACK}:{env['CALL_SERVICE_PORT']}"
    realtime = f"http://{LOOPBACK}:{env['REALTIME_PORT']}"
    web = f"http://{LOOPBACK}:{env['DASHBOARD_PORT']}/"
    if not dashboard_running:
        web_line = "  dashboard      not started (npm not found)"
    elif keys is None:
        web_line = f"  dashboard      {web}   (asks for a key with calls:read)"
    else:
        web_line = f"  dashboard      {web}#key={keys.supervisor}"
    lines = [
        "",
        "devstack: all processes are up",
        f"  call service   {api}   (OpenAPI: {api}/api/openapi.json)",
        f"  realtime       {realtime}   (Socket.io path /socket.io/)",
        web_line,
        f"  DATABASE_URL   {env['DATABASE_URL']}",
        f"  REDIS_URL      {env['REDIS_URL']}",
    ]
    tail_key = "<a key with calls:read>"
    if keys is None:
        lines.append("  API keys       from API_KEYS (not printed)")
    else:
        lines.append(f"  dev API keys   (kept in {data_dir / 'api_keys.json'})")
        lines += [f"    {role:<11} {scopes:<22} {key}" for role, scopes, key in keys.roles()]
        tail_key = keys.supervisor
    lines += [
        f"  live events:   .venv/bin/python -m realtime_service.tail calls --key {tail_key}",
        "  Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


@contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into StopRequested in the main thread, once."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise StopRequested(signal.Signals(signum).name)

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
