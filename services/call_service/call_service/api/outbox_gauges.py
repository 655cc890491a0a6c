"""Outbox gauges for /metrics, read from PostgreSQL at scrape time.

The relay runs elsewhere (maybe several of them), so the backlog is measured
where it lives: in the outbox table. The read runs at most once per 5 s
however often /metrics is scraped (service_kit.probes.SharedRefresh), so the
values may be that old. A scrape while the database is down leaves the last
values and logs a warning. With several api workers the freshest value wins
(multiprocess_mode="mostrecent").
"""

import structlog
from prometheus_client import Gauge

from call_service.service.outbox_status import read_outbox_status
from call_service.service.read_ports import OutboxStatusReads

_log = structlog.get_logger(__name__)

PENDING = Gauge("outbox_pending", "Outbox rows not yet published.", multiprocess_mode="mostrecent")
OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds",
    "Age of the oldest pending row.",
    multiprocess_mode="mostrecent",
)
PUBLISHED_LAST_MINUTE = Gauge(
    "outbox_published_last_minute",
    "Rows published in the last minute.",
    multiprocess_mode="mostrecent",
)
FAILING = Gauge(
    "outbox_failing",
    "Pending rows whose last publish attempt failed (any Redis error, or no subscriber).",
    multiprocess_mode="mostrecent",
)


async def refresh_outbox_gauges(
    reads: OutboxStatusReads, unavailable: tuple[type[BaseException], ...]
) -> None:
    try:
        status = await read_outbox_status(reads)
    except unavailable as exc:
        _log.warning("outbox_gauges_stale", error=type(exc).__name__)
        return
    PENDING.set(status.pending)
    OLDEST_AGE.set(status.oldest_pending_age_s or 0)
    PUBLISHED_LAST_MINUTE.set(status.published_last_minute)
    FAILING.set(status.failing)
