"""How far behind the relay is: the outbox backlog, for operators and the /metrics gauges."""

from call_service.service.read_ports import OutboxStatusReads
from contracts.ops import OutboxStatus


async def read_outbox_status(reads: OutboxStatusReads) -> OutboxStatus:
    return await reads.outbox_status()
