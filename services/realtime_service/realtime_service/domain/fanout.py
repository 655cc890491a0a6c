"""Which Socket.io event, payload and rooms one relay envelope becomes.

Kept pure so the routing rule of the contract (a call event goes to its call,
its queues and `calls`; an alert goes to `alerts`) is tested without a server.
"""

from dataclasses import dataclass
from typing import Any

from contracts.realtime import AlertEnvelope, CallEventEnvelope
from realtime_service.domain.rooms import ALERTS_ROOM, CALLS_ROOM, call_room, queue_room

CALL_EVENT = "call_event"
ALERT = "alert"


@dataclass(frozen=True)
class Emission:
    event: str
    payload: dict[str, Any]
    rooms: list[str]


def fan_out(envelope: CallEventEnvelope | AlertEnvelope) -> Emission:
    """The one emit an envelope needs.

    A call event reaches `queue:<q>` for every q in `queue_ids` (old and new
    queue on a transfer) and for the call's current queue, in case a producer
    of envelopes left it out of `queue_ids`.
    """
    if isinstance(envelope, AlertEnvelope):
        return Emission(ALERT, envelope.message.model_dump(mode="json"), [ALERTS_ROOM])
    message = envelope.message
    queue_ids = list(envelope.queue_ids)
    if message.call.queue_id is not None:
        queue_ids.append(message.call.queue_id)
    rooms = [call_room(message.event.call_id), CALLS_ROOM]
    rooms.extend(queue_room(q) for q in dict.fromkeys(queue_ids))
    return Emission(CALL_EVENT, message.model_dump(mode="json"), rooms)
