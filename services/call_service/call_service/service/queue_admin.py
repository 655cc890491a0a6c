"""Queue administration: list and read queues, create one, change some of its settings."""

from call_service.domain.call import Thresholds
from call_service.service.read_ports import QueueAdmin, QueueThresholdsCache
from contracts.queues import Queue, QueueCreate, QueuePatch


async def list_queues(admin: QueueAdmin) -> list[Queue]:
    return await admin.list_queues()


async def get_queue(admin: QueueAdmin, queue_id: str) -> Queue | None:
    return await admin.get_queue(queue_id)


def with_default_thresholds(new: QueueCreate, defaults: Thresholds) -> QueueCreate:
    """Thresholds the request left out take the service's defaults for new queues.

    `short_call_seconds` may be 0 (the rule switched off), so only its absence
    takes the default; the timer thresholds are positive whenever given.
    """
    return new.model_copy(
        update={
            "sla_seconds": new.sla_seconds or defaults.sla_seconds,
            "no_answer_seconds": new.no_answer_seconds or defaults.no_answer_seconds,
            "max_hold_seconds": new.max_hold_seconds or defaults.max_hold_seconds,
            "short_call_seconds": (
                defaults.short_call_seconds
                if new.short_call_seconds is None
                else new.short_call_seconds
            ),
        }
    )


async def create_queue(admin: QueueAdmin, new: QueueCreate, defaults: Thresholds) -> Queue | None:
    """The created queue, or None when a queue already has that id (nothing is changed)."""
    return await admin.create_queue(with_default_thresholds(new, defaults))


async def patch_queue(
    admin: QueueAdmin, cache: QueueThresholdsCache, queue_id: str, patch: QueuePatch
) -> Queue | None:
    """The changed queue, or None when there is no such queue.

    This process forgets the queue's cached thresholds at once, so its next event
    applies the change; other processes see it within their cache's lifetime.
    """
    queue = await admin.patch_queue(queue_id, patch)
    cache.forget(queue_id)
    return queue
