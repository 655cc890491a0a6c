"""What to start and against what: one `StackConfig` per user of the launcher."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.launcher.services import SERVICE_NAMES


@dataclass(frozen=True)
class StackConfig:
    name: str = "stack"
    """Names the stack in progress lines, its temp dir and its fresh database."""
    services: tuple[str, ...] = SERVICE_NAMES
    """Which of api, relay, timers, webhooks and realtime to start."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Every process's environment (over this process's own, which they inherit).
    The launcher's own decisions win over it: DATABASE_URL, REDIS_URL, the port
    variables and, with `keys`, API_KEYS."""
    process_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Laid over `env` per service ("api", "relay", …, "dashboard"), for every process of it."""
    ports: Mapping[str, int] = field(default_factory=dict)
    """Fixed ports for "api", "realtime" and "dashboard" (refused when taken); any free
    port for the ones left out."""

    database_url: str | None = None
    """The database every process uses; None: an embedded PostgreSQL of the stack's own."""
    fresh_database: bool = False
    """Create a database of the stack's own on `database_url`'s server (dropped at stop)."""
    migrate: bool = True
    """Run `python -m call_service.migrate` before starting anything."""
    redis_url: str | None = None
    """None: an embedded valkey of the stack's own."""
    data_dir: Path | None = None
    """Where embedded servers keep their data (kept); None: a temp dir removed at stop."""
    postgres_port: int | None = None
    """Preferred port of an embedded PostgreSQL (another if taken); None: any free one."""
    valkey_port: int | None = None
    """Preferred port of an embedded valkey; None: any free one."""

    keys: DevKeys | None = None
    """Sets API_KEYS to these roles' keys; None: API_KEYS comes from `env`."""
    dashboard: Path | None = None
    """Serve this frontend/ (already built, see `devstack.dashboard.prepare`) too."""

    log_dir: Path | None = None
    """Each process writes `<log_dir>/<name>.log` itself; None: lines go to `console`."""
    console: Console | None = None
    """Where the processes' lines go, prefixed with their names; None: stdout."""
    announce: Callable[[str], None] | None = None
    """Progress lines ("starting embedded PostgreSQL …"); None: to `console`."""
    start_timeout_s: float = 60.0
    """One deadline for every process to answer its health check."""
