"""Tasks started from a synchronous callback and never awaited: held, and their failure logged.

The event loop keeps only a weak reference to a task, so a task nobody holds may be
collected before it ends; and a failure nobody awaits would be reported only as "Task
exception was never retrieved", if at all.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any

from realtime_service.domain.failure_fields import failure_fields


class DetachedTasks:
    """Holds each task it starts until it ends; logs a failure as `failure_event` on `log`."""

    def __init__(self, log: Any, failure_event: str) -> None:
        self._log = log
        self._failure_event = failure_event
        self._running: set[asyncio.Future[Any]] = set()

    def start(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: "asyncio.Future[Any]") -> None:
        self._running.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self._log.error(self._failure_event, **failure_fields(exc))
