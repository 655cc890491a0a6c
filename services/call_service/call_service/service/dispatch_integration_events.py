"""Use case: integration events → one delivery per subscribed webhook; the sender is told.

The fan-out is one set-based step of the `IntegrationFanOut` port (events taken
with SKIP LOCKED, so several workers split the backlog and none fans an event out
twice). It never sends anything itself, so a slow receiver can never hold back the
fan-out of new events.
"""

from call_service.service.wakeup import Wakeup
from call_service.service.webhook_ports import DispatchResult, IntegrationFanOut


async def dispatch_integration_events(
    fan_out: IntegrationFanOut, sender: Wakeup, batch_size: int
) -> DispatchResult:
    """Fan out up to `batch_size` events; wake the sender when deliveries were created."""
    result = await fan_out.dispatch(batch_size)
    if result.deliveries:
        sender.poke()
    return result
