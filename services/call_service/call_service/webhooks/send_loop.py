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

import structlog

from call_service.adapters.postgres.notifications import WEBHOOK_DELIVERIES_PENDING, ChannelWakeup
from call_service.adapters.postgres.unavailable import UNAVAILABLE_ERRORS
from call_service.adapters.postgres.webhook_deliveries import ClaimedDelivery, claim, release
from call_service.webhooks.sender import DeliveryContext, deliver

_log = structlog.get_logger(__name__)


class SendLoop:
    def __init__(
        self, context: DeliveryContext, wakeup: ChannelWakeup, stop: asyncio.Event
    ) -> None:
        self._context = context
        self._policy = context.policy
        self._wakeup = wakeup
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
        room = self._policy.max_in_flight - len(self._tasks)
        if room <= 0:
            return []
        per_webhook = self._policy.concurrency_per_webhook
        free = {webhook: max(per_webhook - n, 0) for webhook, n in self._busy.items() if n}
        try:
            async with self._context.pool.acquire() as conn:
                return await claim(conn, free, per_webhook, room, self._policy.lease_s)
        except UNAVAILABLE_ERRORS as exc:
            _log.warning("webhooks_database_unavailable", error=type(exc).__name__)
            return []

    def _spawn(self, delivery: ClaimedDelivery) -> None:
        task = asyncio.create_task(deliver(self._context, delivery), name=f"webhook-{delivery.id}")
        self._tasks[task] = delivery
        self._busy[delivery.webhook_id] += 1
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[str]) -> None:
        delivery = self._tasks.pop(task)
        self._busy[delivery.webhook_id] -= 1
        self._wakeup.poke(WEBHOOK_DELIVERIES_PENDING)  # a slot is free: claim again
        if task.cancelled():
            return
        exc = task.exception()
        if isinstance(exc, UNAVAILABLE_ERRORS):
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
        waiter = asyncio.ensure_future(self._wakeup.wait(WEBHOOK_DELIVERIES_PENDING))
        await asyncio.wait({stopper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, waiter):
            task.cancel()

    async def _shutdown(self) -> None:
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=self._policy.shutdown_grace_s)
        cut_short = [self._tasks[t].id for t in unfinished]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        if cut_short:
            try:
                async with self._context.pool.acquire() as conn:
                    await release(conn, cut_short)
            except UNAVAILABLE_ERRORS as exc:
                _log.warning("webhooks_release_failed", error=type(exc).__name__)
            _log.info("webhooks_released", deliveries=len(cut_short))
