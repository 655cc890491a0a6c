"""One Python module (or any command) run as a child process, its output forwarded line by line.

Each child gets its own session (process group): a Ctrl-C in the terminal reaches
only the supervisor, which then stops the children in order, and signals go to
the whole group, so nothing a child spawned outlives it.
"""

import collections
import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit

from devstack.console import Console

_DEFAULT_CONSOLE = Console()
_POLL_S = 0.1


class ProcessExitedError(RuntimeError):
    """The process ended while something waited for it to become healthy."""


class HealthTimeoutError(TimeoutError):
    """The health URL did not answer 200 before the deadline."""


class ManagedProcess:
    """`python -m <module>` with `env` laid over the current environment.

    `command` replaces `python -m <module>` with any argv (for example `npm run start`),
    run in `cwd` when given; `module` then only names it in messages.

    `health_url`: an HTTP URL that answers 200 once the process serves; a process
    without one counts as healthy as soon as it runs. As a context manager it
    starts, waits until healthy, and stops on exit.

    `output_file`: append the child's output to this file directly instead of forwarding
    it line by line through the console (no reader thread in this process: a benchmark's
    load generator does not pay for the services' logging).
    """

    def __init__(
        self,
        name: str,
        module: str,
        env: Mapping[str, str] | None = None,
        health_url: str | None = None,
        *,
        args: Sequence[str] = (),
        command: Sequence[str] | None = None,
        cwd: Path | None = None,
        console: Console | None = None,
        output_file: Path | None = None,
    ) -> None:
        self.name = name
        self.module = module
        self.env = dict(env or {})
        self.health_url = health_url
        self.args = tuple(args)
        self.command = tuple(command) if command is not None else None
        self.cwd = cwd
        self._console = console or _DEFAULT_CONSOLE
        self.output_file = output_file
        self._popen: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._recent: collections.deque[str] = collections.deque(maxlen=200)

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    @property
    def returncode(self) -> int | None:
        """None while running (or never started); the exit code once it has ended."""
        return self._popen.poll() if self._popen is not None else None

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def recent_output(self) -> list[str]:
        """The last lines the process printed, for error messages and assertions."""
        if self.output_file is not None:
            return _tail_lines(self.output_file, self._recent.maxlen or 200)
        return list(self._recent)

    def start(self) -> None:
        if self.is_running():
            raise RuntimeError(f"{self.name} is already running")
        argv = (
            [*self.command, *self.args]
            if self.command is not None
            else [sys.executable, "-m", self.module, *self.args]
        )
        if self.output_file is not None:
            with self.output_file.open("ab") as output:
                self._popen = self._spawn(argv, output)
            return
        self._popen = self._spawn(argv, subprocess.PIPE)
        assert self._popen.stdout is not None
        self._reader = threading.Thread(
            target=self._forward,
            args=(self._popen.stdout,),
            name=f"output-{self.name}",
            daemon=True,
        )
        self._reader.start()

    def _spawn(self, argv: list[str], stdout: IO[bytes] | int) -> "subprocess.Popen[bytes]":
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module, or our argv
            argv,
            cwd=self.cwd,
            env={**os.environ, **self.env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Poll the health URL until it answers 200; fail fast if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            code = self.returncode
            if self._popen is None or code is not None:
                raise ProcessExitedError(self._exit_message(code))
            if self.health_url is None or _answers_ok(self.health_url):
                return
            if time.monotonic() >= deadline:
                raise HealthTimeoutError(
                    f"{self.name}: {self.health_url} not healthy after {timeout:.0f}s"
                    + self._output_tail()
                )
            time.sleep(_POLL_S)

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end by itself; its exit code."""
        if self._popen is None:
            raise RuntimeError(f"{self.name} was never started")
        code = self._popen.wait(timeout)
        self._join_reader()
        return code

    def terminate(self) -> None:
        """Send SIGTERM to the process group without waiting."""
        self._signal(signal.SIGTERM)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited after `timeout` seconds; its exit code."""
        if self._popen is None:
            return None
        self.terminate()
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self._console.line(self.name, f"still running {timeout:.0f}s after SIGTERM: SIGKILL")
            return self.kill()
        self._join_reader()
        return self._popen.returncode

    def kill(self) -> int | None:
        """SIGKILL, as a crash would; its exit code."""
        if self._popen is None:
            return None
        self._signal(signal.SIGKILL)
        code = self._popen.wait()
        self._join_reader()
        return code

    def restart(self, timeout: float = 30.0) -> None:
        """Stop, start again and wait until healthy."""
        self.stop()
        self.start()
        self.wait_healthy(timeout)

    def __enter__(self) -> "ManagedProcess":
        self.start()
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _signal(self, signum: signal.Signals) -> None:
        # Only while the leader is unreaped: its pid (= the group id) cannot be reused yet.
        if self._popen is not None and self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signum)

    def _forward(self, stream: IO[bytes]) -> None:
        for raw in stream:
            text = raw.decode(errors="replace").rstrip("\r\n")
            self._recent.append(text)
            self._console.line(self.name, text)
        stream.close()

    def _join_reader(self) -> None:
        # A grandchild that escaped the group could hold the pipe open: do not hang on it.
        if self._reader is not None:
            self._reader.join(timeout=2.0)

    def _exit_message(self, code: int | None) -> str:
        if code is None:
            return f"{self.name} was never started"
        self._join_reader()
        return f"{self.name} exited with code {code}" + self._output_tail()

    def _output_tail(self, lines: int = 15) -> str:
        tail = self.recent_output()[-lines:]
        return "; last output:\n  " + "\n  ".join(tail) if tail else ""


def _tail_lines(path: Path, lines: int, chunk: int = 64 * 1024) -> list[str]:
    """The last `lines` lines of a log file (at most its last `chunk` bytes)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - chunk))
            text = handle.read().decode(errors="replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


def _answers_ok(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    connection_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
