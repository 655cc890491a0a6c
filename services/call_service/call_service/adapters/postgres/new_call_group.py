"""New calls from concurrent requests written together: group commit for `call_initiated`.

Each new call with its first event is one statement (new_calls_bulk.py), and on
this machine the statement's round trip, not its rows, is the cost. So requests
that arrive while earlier statements are in flight wait for the next one and go
in together, up to `max_group` calls per statement and `writers` statements at
once. Nothing waits on a timer: under light load every call has a statement of
its own at once; under load the groups grow by themselves.

Each call is still all-or-nothing (the statement gates every row on its call's
insert). A call whose id or event_id is taken answers False and its request takes
the general path. If the statement fails as a whole — two requests of the group
carry the same event_id, or one request's value is refused by PostgreSQL — every
request of the group answers None and writes alone, so the failure reaches only
the requests concerned. At most `max_pending` requests wait at once; beyond, a
request is answered "unavailable" (503) at once rather than queueing without end.
"""

import asyncio
from typing import Any

import structlog
from prometheus_client import Counter

from call_service.adapters.postgres.commit_signal import CommitSignal
from call_service.adapters.postgres.new_calls_bulk import write_new_calls
from call_service.adapters.postgres.unavailable import UNAVAILABLE_AT_START
from call_service.service.errors import InfrastructureUnavailable
from call_service.service.ports import RecordedEvent

STATEMENTS = Counter("new_call_group_statements_total", "Statements that wrote grouped new calls.")
GROUPED = Counter("new_call_group_calls_total", "New calls written in a group statement.")
SPLIT = Counter(
    "new_call_group_split_total", "Group statements that failed and were retried call by call."
)
REFUSED = Counter(
    "new_call_group_refused_total", "New calls refused (503) because too many were waiting."
)
_log = structlog.get_logger(__name__)
Waiter = tuple[RecordedEvent, "asyncio.Future[bool | None]"]


class NewCallGroup:
    def __init__(
        self,
        pool: Any,
        signal: CommitSignal,
        max_group: int = 200,
        writers: int = 4,
        max_pending: int = 2000,
    ) -> None:
        self._pool = pool
        self._max_pending = max_pending
        self._signal = signal
        self._max_group = max_group
        self._writers = writers
        self._active = 0
        self._pending: list[Waiter] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def write(self, recorded: RecordedEvent) -> bool | None:
        """True: created; False: the call id or event_id is taken; None: write it alone."""
        if len(self._pending) >= self._max_pending:
            REFUSED.inc()
            raise InfrastructureUnavailable("too many new calls waiting for the database")
        future: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._pending.append((recorded, future))
        if self._active < self._writers:
            self._active += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                await self._write(self._take_group())
        finally:
            self._active -= 1

    def _take_group(self) -> list[Waiter]:
        """Up to `max_group` waiters with distinct call ids (one statement cannot insert a
        call twice); a second request for a call waits for a later statement, where it
        finds the call taken and goes the general way (replay or 409)."""
        group: list[Waiter] = []
        left: list[Waiter] = []
        calls: set[str] = set()
        for waiter in self._pending:
            call_id = waiter[0].event.call_id
            if len(group) < self._max_group and call_id not in calls:
                calls.add(call_id)
                group.append(waiter)
            else:
                left.append(waiter)
        self._pending = left
        return group

    async def _write(self, group: list[Waiter]) -> None:
        try:
            async with self._pool.acquire() as conn:
                result = await write_new_calls(conn.fetchrow, [r for r, _ in group])
        except UNAVAILABLE_AT_START as exc:
            _settle(group, InfrastructureUnavailable("database unavailable"), cause=exc)
            return
        except Exception as exc:  # noqa: BLE001 - alone, it is that request's own error
            if len(group) == 1:
                _settle(group, exc)
                return
            # One request's value broke the shared statement: each writes alone, so the
            # error reaches that request only and its neighbours are written.
            SPLIT.inc()
            _log.warning("new_call_group_split", error=type(exc).__name__, calls=len(group))
            result = None
        if result is None:  # a shared event_id or a split: every request writes alone
            for _, future in group:
                if not future.done():
                    future.set_result(None)
            return
        STATEMENTS.inc()
        GROUPED.inc(len(group))
        created, channels = result
        if channels:
            self._signal.committed(channels)
        for recorded, future in group:
            if not future.done():
                future.set_result(recorded.event.call_id in created)


def _settle(group: list[Waiter], error: BaseException, cause: BaseException | None = None) -> None:
    if cause is not None:
        error.__cause__ = cause
    for _, future in group:
        if not future.done():
            future.set_exception(error)
