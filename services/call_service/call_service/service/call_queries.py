"""Read use cases of calls: a filtered page of calls, one call, one call's audit log."""

from call_service.service.keyset import Page, read_page
from call_service.service.read_filters import CallFilters
from call_service.service.read_ports import CallReads
from contracts.calls import Call
from contracts.events import CallEvent


async def list_calls(reads: CallReads, filters: CallFilters, page_size: int) -> Page[Call]:
    """Newest first; the next page starts after the last call's (start_time, id)."""
    return await read_page(
        lambda limit: reads.list_calls(filters, limit),
        page_size,
        lambda call: (call.start_time, call.id),
    )


async def get_call(reads: CallReads, call_id: str) -> Call | None:
    return await reads.get_call(call_id)


async def list_call_events(reads: CallReads, call_id: str) -> list[CallEvent] | None:
    """The audit log in seq order; None when the call does not exist."""
    return await reads.list_events(call_id)
