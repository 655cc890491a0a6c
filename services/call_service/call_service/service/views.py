"""Domain records → wire models (contracts)."""

from call_service.domain.call import CallRecord
from contracts.calls import Call


def call_view(call: CallRecord) -> Call:
    return Call(
        id=call.id,
        status=call.status,
        queue_id=call.queue_id,
        media=call.media,
        agent_id=call.agent_id,
        start_time=call.start_time,
        answered_at=call.answered_at,
        end_time=call.end_time,
        end_reason=call.end_reason,
        wait_time=call.wait_time,
        duration=call.duration,
        flags=list(call.flags),
        last_seq=call.last_seq,
        updated_at=call.updated_at,
        hold_started_at=call.hold_started_at,
        hold_total=call.hold_total,
        transfer_count=call.transfer_count,
    )
