"""The thresholds of a call's own queue (which must exist: calls reference queues)."""

from call_service.domain.call import Thresholds
from call_service.service.ports import UnitOfWork


class QueueVanished(LookupError):
    """A call's queue row is missing: the foreign key makes this a bug, not bad input."""


async def thresholds_of(uow: UnitOfWork, queue_id: str) -> Thresholds:
    found = await uow.queues.thresholds(queue_id)
    if found is None:
        raise QueueVanished(queue_id)
    return found
