"""The sender: claim due deliveries and run each as its own task, bounded per webhook.

Every delivery is an independent asyncio task, so a receiver that hangs until
its timeout holds only its own webhook's slots: at most
`concurrency_per_webhook` sends per webhook at once (and `max_in_flight` in
all). Claims ask only for as many deliveries per webhook as it has free slots,
so nothing claimed ever waits in memory while its claim runs out.

Stopping: no new claims, in-flight sends get `shutdown_grace_s` to finish, the rest are
cancelled and handed back to the queue (pending, due now, attempts kept).
"""

import asyncio
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass

import structlog

from call_service.service.send_delivery import DeliverySender
from call_service.service.wakeup import Wakeup
from call_service.service.webhook_ports import ClaimedDelivery, DeliveryQueue
from call_service.webhooks.worker_settings import WebhookWorkerSettings

_log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SendParts:
    """What the composition root (webhooks/worker.py) hands the sender's loop."""

    queue: DeliveryQueue
    sender: DeliverySender
    wakeup: Wakeup
    """Deliveries pending: a dispatch, a redelivery, a freed slot."""
    unavailable: tuple[type[BaseException], ...]
    """What the queue raises while its database is unreachable: logged, then retried."""


class SendLoop:
    def __init__(
        self, parts: SendParts, settings: WebhookWorkerSettings, stop: asyncio.Event
    ) -> None:
        self._parts = parts
        self._settings = settings
        self._stop = stop
        self._tasks: dict[asyncio.Task[str], ClaimedDelivery] = {}
        self._busy: Counter[uuid.UUID] = Counter()

    async def run(self) -> None:
        try:
            while not self._stop.is_set():
                claimed = await self._claim()
                for delivery in claimed:
                    self._spawn(delivery)
                if not claimed:
                    await self._wait()
        finally:
            await self._shutdown()

    async def _claim(self) -> list[ClaimedDelivery]:
        room = self._settings.max_in_flight - len(self._tasks)
        if room <= 0:
            return []
        per_webhook = self._settings.concurrency_per_webhook
        free = {webhook: max(per_webhook - n, 0) for webhook, n in self._busy.items() if n}
        try:
            return await self._parts.queue.claim(free, per_webhook, room, self._settings.lease_s)
        except self._parts.unavailable as exc:
            _log.warning("webhooks_database_unavailable", error=type(exc).__name__)
            return []

    def _spawn(self, delivery: ClaimedDelivery) -> None:
        task = asyncio.create_task(
            self._parts.sender.deliver(delivery), name=f"webhook-{delivery.id}"
        )
        self._tasks[task] = delivery
        self._busy[delivery.webhook_id] += 1
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[str]) -> None:
        delivery = self._tasks.pop(task)
        self._busy[delivery.webhook_id] -= 1
        self._parts.wakeup.poke()  # a slot is free: claim again
        if task.cancelled():
            return
        exc = task.exception()
        if isinstance(exc, self._parts.unavailable):
            # Its claim expires and another pass retries it with the attempts left.
            _log.warning(
                "webhook_record_failed", delivery_id=str(delivery.id), error=type(exc).__name__
            )
        elif exc is not None:
            # The formatted traceback, not exc_info: its frames' locals hold the signed
            # headers, and the logging set-up would print locals.
            _log.error(
                "webhook_delivery_crashed",
                delivery_id=str(delivery.id),
                error=type(exc).__name__,
                traceback="".join(traceback.format_exception(exc)),
            )

    async def _wait(self) -> None:
        stopper = asyncio.ensure_future(self._stop.wait())
        waiter = asyncio.ensure_future(self._parts.wakeup.wait())
        await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, waiter):
            task.cancel()

    async def _shutdown(self) -> None:
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(
            set(self._tasks), timeout=self._settings.shutdown_grace_s
        )
        cut_short = [self._tasks[t].id for t in unfinished]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        if cut_short:
            try:
                await self._parts.queue.release(cut_short)
            except self._parts.unavailable as exc:
                _log.warning("webhooks_release_failed", error=type(exc).__name__)
            _log.info("webhooks_released", deliveries=len(cut_short))
