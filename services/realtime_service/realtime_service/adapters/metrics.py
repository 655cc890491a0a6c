"""Prometheus metrics of one realtime process, in a registry of its own.

A registry per app (not the global one) lets tests build several apps in one
process without duplicate-metric errors; `/metrics` serves this registry.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge


class RealtimeMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.connected_sockets = Gauge(
            "realtime_connected_sockets",
            "Authenticated Socket.io connections on this process.",
            registry=self.registry,
        )
        """Read from the Socket.io client manager at each scrape
        (`connection_census.connected_sockets`)."""
        self.emitted_messages = Counter(
            "realtime_emitted_messages",
            "Messages emitted to Socket.io rooms, by socket event.",
            ["event"],
            registry=self.registry,
        )
        self.dropped_duplicates = Counter(
            "realtime_dropped_duplicates",
            "Relay messages dropped as repeats, by envelope kind.",
            ["kind"],
            registry=self.registry,
        )
        self.sequence_gaps = Counter(
            "realtime_sequence_gaps",
            "Call events emitted after a gap in the call's seq.",
            registry=self.registry,
        )
        self.invalid_messages = Counter(
            "realtime_invalid_messages",
            "Relay messages that failed to parse and were skipped.",
            registry=self.registry,
        )
        self.redis_reconnects = Counter(
            "realtime_redis_reconnects",
            "Attempts to subscribe again after the Redis connection failed or dropped.",
            registry=self.registry,
        )
        self.resumes = Counter(
            "realtime_resumes",
            "Subscribes with since_seq, by outcome (ok, unavailable, too_far, no_database,"
            " in_progress, rate_limited).",
            ["outcome"],
            registry=self.registry,
        )
        self.resumed_events = Counter(
            "realtime_resumed_events",
            "Stored events replayed to resuming sockets.",
            registry=self.registry,
        )
        self.refused_connections = Counter(
            "realtime_refused_connections",
            "Socket.io connects refused, by reason (no_key, missing_scope, error).",
            ["reason"],
            registry=self.registry,
        )
        self.failed_handlers = Counter(
            "realtime_failed_handlers",
            "subscribe / unsubscribe / disconnect handlers that raised (answered or logged).",
            ["handler"],
            registry=self.registry,
        )
        self.refused_events = Counter(
            "realtime_refused_events",
            "Client events not run: unknown names, extra arguments, connect/disconnect.",
            registry=self.registry,
        )
        self.refused_packets = Counter(
            "realtime_refused_packets",
            "Client packets that could not be handled; their session was closed.",
            registry=self.registry,
        )
        self.send_queue_overflows = Counter(
            "realtime_send_queue_overflows",
            "Sockets disconnected because their outgoing queue reached its cap (slow readers).",
            registry=self.registry,
        )
        self.redis_subscribed = Gauge(
            "realtime_redis_subscribed",
            "1 while subscribed to the relay channel, else 0.",
            registry=self.registry,
        )
