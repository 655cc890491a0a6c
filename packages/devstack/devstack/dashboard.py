"""The Next.js dashboard under `make run`: install, build when stale, then serve.

`npm ci` runs only when `node_modules/` is missing or `package-lock.json` changed since
the last install (a hash kept in `node_modules/.devstack-lock-sha256`); `next build` only
when there is no build or a source is newer than it. The built server reads the service
URLs from its environment at request time, so one build serves any ports.
"""

import hashlib
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from devstack.console import Console
from devstack.managed_process import ManagedProcess
from devstack.network import LOOPBACK

INSTALL_TIMEOUT_S = 600.0
BUILD_TIMEOUT_S = 600.0
_STAMP = ".devstack-lock-sha256"
SOURCES = (
    "app",
    "ui",
    "lib",
    "public",
    "package.json",
    "package-lock.json",
    "next.config.mjs",
    "middleware.ts",
    "tsconfig.json",
)


class DashboardError(RuntimeError):
    """The dashboard cannot be installed or built; the message says what to do."""


def frontend_dir() -> Path:
    return Path.cwd() / "frontend"


def npm_available() -> bool:
    return shutil.which("npm") is not None


def needs_install(frontend: Path) -> bool:
    stamp = frontend / "node_modules" / _STAMP
    return not stamp.exists() or stamp.read_text().strip() != _lock_hash(frontend)


def needs_build(frontend: Path) -> bool:
    build_id = frontend / ".next" / "BUILD_ID"
    if not build_id.exists():
        return True
    built = build_id.stat().st_mtime
    return any(mtime > built for mtime in _source_mtimes(frontend))


def prepare(frontend: Path, env: Mapping[str, str], console: Console) -> None:
    """`npm ci` and `next build` as needed, their output forwarded to the console."""
    if needs_install(frontend):
        console.block("devstack: installing the dashboard's packages (npm ci)")
        _run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            frontend,
            env,
            console,
            INSTALL_TIMEOUT_S,
        )
        (frontend / "node_modules" / _STAMP).write_text(_lock_hash(frontend) + "\n")
    if needs_build(frontend):
        console.block("devstack: building the dashboard (next build)")
        _run(["npm", "run", "--silent", "build"], frontend, env, console, BUILD_TIMEOUT_S)


def dashboard_env(env: Mapping[str, str]) -> dict[str, str]:
    """What the Next server reads: where the services are, its port, telemetry off."""
    return {
        "CALL_SERVICE_URL": env.get("CALL_SERVICE_URL")
        or f"http://{LOOPBACK}:{env['CALL_SERVICE_PORT']}",
        "REALTIME_URL": env.get("REALTIME_URL") or f"http://{LOOPBACK}:{env['REALTIME_PORT']}",
        "DASHBOARD_PORT": env["DASHBOARD_PORT"],
        "NEXT_TELEMETRY_DISABLED": "1",
        "NEXT_IGNORE_INCORRECT_LOCKFILE": "1",
    }


def server(
    frontend: Path, env: Mapping[str, str], console: Console, output_file: Path | None = None
) -> ManagedProcess:
    """`next start`, run directly (not through npm) so SIGTERM reaches the server itself;
    its output goes to `console`, or to `output_file` when given."""
    port = env["DASHBOARD_PORT"]
    return ManagedProcess(
        "dashboard",
        "next start",
        {**env, **dashboard_env(env)},
        f"http://{LOOPBACK}:{port}/runtime-config",
        command=[
            str(frontend / "node_modules" / ".bin" / "next"),
            "start",
            "-H",
            LOOPBACK,
            "-p",
            port,
        ],
        cwd=frontend,
        console=console,
        output_file=output_file,
    )


def _run(
    argv: list[str], cwd: Path, env: Mapping[str, str], console: Console, timeout: float
) -> None:
    step = ManagedProcess(
        "dashboard",
        argv[0],
        {**env, "NEXT_TELEMETRY_DISABLED": "1"},
        command=argv,
        cwd=cwd,
        console=console,
    )
    try:
        code = step.run(timeout)
    except subprocess.TimeoutExpired as exc:
        raise DashboardError(f"`{' '.join(argv)}` in {cwd} took over {timeout:.0f}s") from exc
    if code != 0:
        raise DashboardError(f"`{' '.join(argv)}` in {cwd} failed (exit code {code})")


def _lock_hash(frontend: Path) -> str:
    return hashlib.sha256((frontend / "package-lock.json").read_bytes()).hexdigest()


def _source_mtimes(frontend: Path) -> Iterable[float]:
    for name in SOURCES:
        path = frontend / name
        if path.is_file():
            yield path.stat().st_mtime
        elif path.is_dir():
            yield from (p.stat().st_mtime for p in path.rglob("*") if p.is_file())
