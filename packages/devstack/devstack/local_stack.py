"""`make run`: the whole platform on this machine, with embedded servers for what is missing.

Order: dev API keys (unless API_KEYS is set), the dashboard's install and build (when
stale), then the launcher (`devstack.launcher`): PostgreSQL and Redis (embedded in .data/
unless DATABASE_URL / REDIS_URL are set), migrations, the five processes and the
dashboard. Ctrl-C or SIGTERM stops everything and exits 0; a process that dies by itself
stops everything and exits 1, so a crash is never left half-running.
"""

import contextlib
import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

from devstack import dashboard
from devstack.console import Console
from devstack.dev_keys import DevKeys, DevKeysError, load_or_create
from devstack.launcher import (
    DASHBOARD,
    LAUNCH_FAILURES,
    PORT_VARIABLES,
    Stack,
    StackConfig,
    StackStopError,
    require_free_ports,
    start_stack,
)
from devstack.network import LOOPBACK

POSTGRES_PORT = 54329  # preferred ports of the embedded servers; any free one if taken
VALKEY_PORT = 63790
DEFAULT_PORTS = {"api": 8000, "realtime": 8001, DASHBOARD: 3000}
# Reported in one line (exit 1) instead of a traceback.
RUN_FAILURES: tuple[type[Exception], ...] = (
    *LAUNCH_FAILURES,
    DevKeysError,
    dashboard.DashboardError,
)


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived."""


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
        env, keys = run_environment(data_dir)
        ports = {name: int(env[PORT_VARIABLES[name]]) for name in DEFAULT_PORTS}
        require_free_ports(ports)
        frontend = _dashboard(env, console)
        stack = start_stack(
            StackConfig(
                name="devstack",
                env=env,
                ports=ports,
                database_url=env.get("DATABASE_URL") or None,
                redis_url=env.get("REDIS_URL") or None,
                data_dir=data_dir,
                postgres_port=POSTGRES_PORT,
                valkey_port=VALKEY_PORT,
                keys=keys,
                dashboard=frontend,
                console=console,
            )
        )
        cleanup.callback(_stop, stack)
        console.block(_banner(stack, data_dir))
        dead = stack.wait_for_exit()
        console.block(
            f"devstack: {dead.name} exited unexpectedly with code {dead.returncode};"
            " stopping everything"
        )
        return 1
    except StopRequested:
        return 0
    except RUN_FAILURES as exc:
        console.block(f"devstack: {exc}")
        return 1
    finally:
        # From here on the cleanup runs; a second Ctrl-C must not cut it short.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


def _stop(stack: Stack) -> None:
    with contextlib.suppress(StackStopError):  # each failed step is already on the console
        stack.stop()


def run_environment(data_dir: Path) -> tuple[dict[str, str], DevKeys | None]:
    """This environment with `make run`'s defaults, and the dev keys unless API_KEYS is set."""
    env = dict(os.environ)
    env.setdefault("LOG_FORMAT", "console")
    env.setdefault("API_WORKERS", "0")  # one api process per core (at most 4)
    # Webhooks reach public addresses only; the demo receiver listens on 127.0.0.1.
    env.setdefault("WEBHOOK_ALLOWED_HOSTS", LOOPBACK)
    for name, port in DEFAULT_PORTS.items():
        env.setdefault(PORT_VARIABLES[name], str(port))
    keys = None if env.get("API_KEYS") else load_or_create(data_dir / "api_keys.json")
    return env, keys


def _dashboard(env: dict[str, str], console: Console) -> Path | None:
    """The dashboard's frontend/, installed and built as needed; None without npm."""
    frontend = dashboard.frontend_dir()
    if not dashboard.npm_available():
        console.block("devstack: npm not found: the dashboard is skipped (install Node.js 20)")
        return None
    dashboard.prepare(frontend, env, console)
    return frontend


def _banner(stack: Stack, data_dir: Path) -> str:
    api, realtime, keys = stack.api_url, stack.realtime_url, stack.keys
    web = stack.dashboard_url
    if web is None:
        web_line = "  dashboard      not started (npm not found)"
    elif keys is None:
        web_line = f"  dashboard      {web}/   (asks for a key with calls:read)"
    else:
        web_line = f"  dashboard      {web}/#key={keys.supervisor}"
    lines = [
        "",
        "devstack: all processes are up",
        f"  call service   {api}   (OpenAPI: {api}/api/openapi.json)",
        f"  realtime       {realtime}   (Socket.io path /socket.io/)",
        web_line,
        f"  DATABASE_URL   {stack.database_url}",
        f"  REDIS_URL      {stack.redis_url}",
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
