"""A cap on each socket's outgoing queue: a client that does not read is disconnected.

Every packet for a socket waits in its Engine.IO queue (`socket.queue`, an unbounded
`asyncio.Queue` in python-engineio) until the socket's writer task sends it; an emit never
waits for that, nor does an ack. A client that stops reading — or reads slower than its
rooms produce — stalls its writer on TCP back-pressure while the fan-out keeps queueing:
without a bound the process would hold every message for it until it runs out of memory.

`SendQueueCap.install` has the server create every socket's queue as a `BoundedSendQueue`
(through `create_queue`, the engine.io server's factory for them). A Socket.io message
that finds `max_messages` already queued overflows it: that message and every later one
are discarded, and the socket is dropped right after (`SendQueueCap.drop`, in a task of
its own — the sender may be any emit or ack, and is never failed for it): what was queued
is discarded, the socket is disconnected, its TCP connection aborted (its writer may be
stuck on it) and `realtime_send_queue_overflows` counts it. Engine.IO's own control
packets (ping, close, noop, the writer's stop) always pass, so a socket can still close.
"""

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from engineio import packet as eio_packet

from realtime_service.adapters.detached_tasks import DetachedTasks
from realtime_service.adapters.engineio_transport import close_transport
from realtime_service.adapters.metrics import RealtimeMetrics

DEFAULT_MAX_QUEUED_MESSAGES = 2000
"""A resume queues up to `domain.backlog.MAX_EVENTS` (1000) stored events at once, then what
was held meanwhile, before the writer runs: the cap leaves room for one full resume and as
much again; a live client's queue is near empty otherwise."""

_log = structlog.get_logger(__name__)


class BoundedSendQueue(asyncio.Queue[Any]):
    """Engine.IO's per-socket queue, overflowing at `max_messages` Socket.io messages."""

    def __init__(
        self, max_messages: int, on_overflow: Callable[["BoundedSendQueue"], None]
    ) -> None:
        super().__init__()
        self.max_messages = max_messages
        self.eio_sid: str | None = None
        """The session this queue serves, set when it connects (`SendQueueCap.install`)."""
        self.overflowed = False
        self._on_overflow = on_overflow

    def put_nowait(self, item: Any) -> None:
        # `put` ends in `put_nowait` too (an unbounded queue never waits).
        if item is not None and getattr(item, "packet_type", None) == eio_packet.MESSAGE:
            if self.overflowed:
                return  # its socket is being dropped
            if self.qsize() >= self.max_messages:
                self.overflowed = True
                self._on_overflow(self)
                return
        super().put_nowait(item)


class SendQueueCap:
    def __init__(self, max_messages: int, metrics: RealtimeMetrics) -> None:
        if max_messages < 1:
            raise ValueError("the send queue cap must be positive")
        self.max_messages = max_messages
        self._metrics = metrics
        self._eio: Any = None
        self._dropping = DetachedTasks(_log, "socket_drop_failed")

    def install(self, eio: Any) -> None:
        """Have the Engine.IO server `eio` create each socket's queue bounded, and tell
        each queue its session when the session connects."""
        self._eio = eio
        eio.create_queue = self._create_queue
        on_connect = eio.handlers["connect"]

        async def connect(eio_sid: str, environ: dict[str, Any]) -> Any:
            queue = eio.sockets[eio_sid].queue
            if isinstance(queue, BoundedSendQueue):
                queue.eio_sid = eio_sid
            return await on_connect(eio_sid, environ)

        eio.on("connect", connect)

    def _create_queue(self, *args: Any, **kwargs: Any) -> BoundedSendQueue:
        return BoundedSendQueue(self.max_messages, self._overflowed)

    def _overflowed(self, queue: BoundedSendQueue) -> None:
        if queue.eio_sid is None:  # not connected yet: nothing can have filled it
            _log.error("socket_send_queue_full_unknown_session", queued=queue.qsize())
            return
        self._dropping.start(self.drop(queue.eio_sid))

    async def drop(self, eio_sid: str) -> None:
        """Disconnect a socket whose queue is full, at once and without what it holds."""
        socket = self._eio.sockets.get(eio_sid)
        queued = socket.queue.qsize() if socket is not None else 0
        if await close_transport(self._eio, eio_sid, abort_after_s=0, discard_queued=True):
            self._metrics.send_queue_overflows.inc()
            _log.warning(
                "socket_send_queue_full",
                eio_sid=eio_sid,
                queued=queued,
                max_queued=self.max_messages,
            )
