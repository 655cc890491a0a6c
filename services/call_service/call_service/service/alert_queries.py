"""Supervisor alerts: a filtered page of them, and acknowledging one."""

from call_service.service.keyset import Page, read_page
from call_service.service.ports import Clock
from call_service.service.read_filters import AlertFilters
from call_service.service.read_ports import AlertReads
from contracts.alerts import Alert


async def list_alerts(reads: AlertReads, filters: AlertFilters, page_size: int) -> Page[Alert]:
    """Newest first; the next page starts after the last alert's (at, id)."""
    return await read_page(
        lambda limit: reads.list_alerts(filters, limit),
        page_size,
        lambda alert: (alert.at, alert.id),
    )


async def acknowledge_alert(
    alerts: AlertReads, clock: Clock, alert_id: str, by: str
) -> Alert | None:
    """Mark the alert acknowledged by `by` now; None when no alert has that id.

    Idempotent: acknowledging again keeps the first time and author.
    """
    return await alerts.acknowledge(alert_id, clock.now(), by)
