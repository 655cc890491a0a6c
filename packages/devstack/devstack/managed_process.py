"""One Python module (or any command) run as a child process, its output forwarded line by line.

Each child gets its own session (process group): a Ctrl-C in the terminal reaches
only the supervisor, which then stops the children in order, and signals go to
the whole group, so nothing a child spawned outlives it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from devstack.console import Console
from devstack.health_probe import answers_ok
from devstack.process_output import ProcessOutput

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

    `output_file`: the child appends its output to this file instead of it being forwarded
    line by line to the console (`devstack.process_output`).
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
        self._output = ProcessOutput(name, self._console, output_file)
        self._popen: subprocess.Popen[bytes] | None = None

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
        return self._output.recent()

    def start(self) -> None:
        if self.is_running():
            raise RuntimeError(f"{self.name} is already running")
        argv = (
            [*self.command, *self.args]
            if self.command is not None
            else [sys.executable, "-m", self.module, *self.args]
        )
        with self._output.child_stdout() as stdout:
            self._popen = self._spawn(argv, stdout)
        self._output.follow(self._popen.stdout)

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
            if self.health_url is None or answers_ok(self.health_url):
                return
            if time.monotonic() >= deadline:
                raise HealthTimeoutError(
                    f"{self.name}: {self.health_url} not healthy after {timeout:.0f}s"
                    + self._output.tail()
                )
            time.sleep(_POLL_S)

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end by itself; its exit code."""
        if self._popen is None:
            raise RuntimeError(f"{self.name} was never started")
        code = self._popen.wait(timeout)
        self._output.join()
        return code

    def run(self, timeout: float) -> int:
        """Start, wait for the process to end by itself, and stop it (also when the wait
        fails): its exit code; subprocess.TimeoutExpired if it runs past `timeout`."""
        self.start()
        try:
            return self.wait(timeout)
        finally:
            self.stop()

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
        self._output.join()
        return self._popen.returncode

    def kill(self) -> int | None:
        """SIGKILL, as a crash would; its exit code."""
        if self._popen is None:
            return None
        self._signal(signal.SIGKILL)
        code = self._popen.wait()
        self._output.join()
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

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _signal(self, signum: signal.Signals) -> None:
        # Only while the leader is unreaped: its pid (= the group id) cannot be reused yet.
        if self._popen is not None and self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signum)

    def _exit_message(self, code: int | None) -> str:
        if code is None:
            return f"{self.name} was never started"
        self._output.join()
        return f"{self.name} exited with code {code}" + self._output.tail()
