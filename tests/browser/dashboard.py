"""The Next.js dashboard for the browser tests, the way `make run` serves it
(`devstack.dashboard`): `npm ci` when the lock changed, `next build` when a source is newer
than the build, then `next start` as a `ManagedProcess`.

`BROWSER_TESTS_FRONTEND_DIR` points the tests at another copy of frontend/ (to build and
serve), e.g. so a run does not rebuild the `.next/` of a `next start` someone is using.
"""

import os
import shutil
from pathlib import Path

from devstack import dashboard
from devstack.console import Console
from devstack.managed_process import ManagedProcess

REPO = Path(__file__).resolve().parents[2]
FRONTEND = Path(os.environ.get("BROWSER_TESTS_FRONTEND_DIR") or REPO / "frontend").resolve()


class DashboardUnavailableError(RuntimeError):
    """The dashboard cannot be built or served: the browser tests cannot run."""


def ensure_built() -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise DashboardUnavailableError("node and npm are needed for the browser tests")
    if not (FRONTEND / "app").is_dir():
        raise DashboardUnavailableError(
            f"{FRONTEND / 'app'} does not exist: the dashboard has not landed, "
            "so the browser tests cannot run"
        )
    try:
        dashboard.prepare(FRONTEND, dict(os.environ), Console())
    except dashboard.DashboardError as exc:
        raise DashboardUnavailableError(f"{exc} (its output is in the captured stdout)") from exc


def dashboard_server(port: int, call_service_url: str, realtime_url: str) -> ManagedProcess:
    """`next start` on `port`, finding the services at these URLs (not yet started)."""
    env = {
        "DASHBOARD_PORT": str(port),
        "CALL_SERVICE_URL": call_service_url,
        "REALTIME_URL": realtime_url,
    }
    return dashboard.server(FRONTEND, env, Console())
