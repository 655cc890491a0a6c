"""What starting or stopping a stack can raise, and the steps that undo a start."""

from collections.abc import Callable
from subprocess import SubprocessError

import asyncpg

from devstack.console import Console
from devstack.managed_process import HealthTimeoutError, ProcessExitedError
from devstack.migrations import MigrationError
from devstack.postgres_server import EmbeddedPostgresError
from devstack.valkey_server import EmbeddedValkeyError


class LaunchError(RuntimeError):
    """The stack cannot start as configured; the message says what to change."""


class StackStopError(RuntimeError):
    """Some step of stopping the stack failed (every other step still ran)."""


# What a launcher's user reports in one line instead of a traceback.
LAUNCH_FAILURES: tuple[type[Exception], ...] = (
    LaunchError,
    MigrationError,
    EmbeddedPostgresError,
    EmbeddedValkeyError,
    ProcessExitedError,
    HealthTimeoutError,
    StackStopError,
    asyncpg.PostgresError,
    OSError,
)
_STEP_FAILURES = (RuntimeError, OSError, SubprocessError, asyncpg.PostgresError)


class Teardown:
    """Clean-up steps, run last added first; a step that fails is reported on the console
    and the others still run."""

    def __init__(self, name: str, console: Console) -> None:
        self._name = name
        self._console = console
        self._steps: list[Callable[[], object]] = []

    def add(self, step: Callable[[], object]) -> None:
        self._steps.append(step)

    def run(self) -> list[Exception]:
        """Run (and forget) every step; the failures, each already reported."""
        failures: list[Exception] = []
        while self._steps:
            step = self._steps.pop()
            try:
                step()
            except _STEP_FAILURES as exc:
                self._console.block(f"{self._name}: while stopping: {exc}")
                failures.append(exc)
        return failures
