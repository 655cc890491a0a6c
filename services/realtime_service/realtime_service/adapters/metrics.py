"""Prometheus metrics of one realtime process, in a registry of its own.

A registry per app (not the global one) lets tests build several apps in one
process without duplicate-metric errors; `/metrics` serves this registry.
"""

from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge


class RealtimeMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        counter = partial(Counter, registry=self.registry)
        gauge = partial(Gauge, registry=self.registry)
        self.connected_sockets = gauge(
            "realtime_connected_sockets", "Authenticated Socket.io connections on this process."
        )
        """Read from the Socket.io client manager at each scrape
        (`connection_census.connected_sockets`)."""
        self.emitted_messages = counter(
            "realtime_emitted_messages",
            "Messages emitted to Socket.io rooms, by socket event.",
            ["event"],
        )
        self.dropped_duplicates = counter(
            "realtime_dropped_duplicates",
            "Relay messages dropped as repeats, by envelope kind.",
            ["kind"],
        )
        self.sequence_gaps = counter(
            "realtime_sequence_gaps", "Call events emitted after a gap in the call's seq."
        )
        self.invalid_messages = counter(
            "realtime_invalid_messages", "Relay messages that failed to parse and were skipped."
        )
        self.redis_reconnects = counter(
            "realtime_redis_reconnects",
            "Attempts to subscribe again after the Redis connection failed or dropped.",
        )
        self.resumes = counter(
            "realtime_resumes",
            "Subscribes with since_seq, by outcome (ok, unavailable, too_far, no_database,"
            " in_progress, rate_limited).",
            ["outcome"],
        )
        self.resumed_events = counter(
            "realtime_resumed_events", "Stored events replayed to resuming sockets."
        )
        self.refused_connections = counter(
            "realtime_refused_connections",
            "Socket.io connects refused, by reason (no_key, missing_scope, error).",
            ["reason"],
        )
        self.failed_handlers = counter(
            "realtime_failed_handlers",
            "subscribe / unsubscribe / disconnect handlers that raised (answered or logged).",
            ["handler"],
        )
        self.refused_events = counter(
            "realtime_refused_events",
            "Client events not run: unknown names, extra arguments, connect/disconnect.",
        )
        self.refused_packets = counter(
            "realtime_refused_packets",
            "Client packets that could not be handled; their session was closed.",
        )
        self.send_queue_overflows = counter(
            "realtime_send_queue_overflows",
            "Sockets disconnected because their outgoing queue reached its cap (slow readers).",
        )
        self.redis_subscribed = gauge(
            "realtime_redis_subscribed", "1 while subscribed to the relay channel, else 0."
        )
