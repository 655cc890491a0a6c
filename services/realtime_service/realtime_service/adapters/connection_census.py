"""How many entries each per-connection table of the process holds: where a leak shows.

Every socket leaves entries in python-engineio (its session, its request environ in
python-socketio), in the Socket.io manager (its rooms, a pending connect or disconnect,
the room index of `room_index.RoomIndexedClientManager`), in the auth deadline and in the resume
registry. All of them must be gone once the socket is: `/metrics` reports each count as
`realtime_connection_entries{table=…}`, and the tests assert they return to zero after
hostile connections.
"""

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from realtime_service.adapters.auth_deadline import AuthDeadline
from realtime_service.domain.resume_seam import ResumeRegistry


def connection_entries(
    sio: Any, auth_deadline: AuthDeadline, resumes: ResumeRegistry
) -> dict[str, int]:
    """Entries per table, by name (the Socket.io ones over every namespace)."""
    manager = sio.manager
    namespaces = list(manager.rooms.values())
    return {
        "engineio_sessions": len(sio.eio.sockets),
        "request_environs": len(sio.environ),
        "namespace_sockets": sum(len(rooms.get(None, ())) for rooms in namespaces),
        "room_memberships": sum(len(m) for rooms in namespaces for m in rooms.values()),
        "room_index": manager.indexed_sockets(),
        "pending_connects": sum(len(sids) for sids in manager.pending_connect.values()),
        "pending_disconnects": sum(len(sids) for sids in manager.pending_disconnect.values()),
        "auth_deadlines": auth_deadline.pending_count(),
        "resume_seams": resumes.seam_count(),
    }


def connected_sockets(sio: Any) -> int:
    """Sockets connected to `/`: in the namespace, neither connecting nor disconnecting."""
    manager = sio.manager
    members = len(manager.rooms.get("/", {}).get(None, ()))
    pending = len(manager.pending_connect.get("/", ())) + len(
        manager.pending_disconnect.get("/", ())
    )
    return max(0, members - pending)


class ConnectionCensus:
    """A Prometheus collector serving `connection_entries` at each scrape."""

    def __init__(self, count: Callable[[], dict[str, int]]) -> None:
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "realtime_connection_entries",
            "Entries held per connection table (sessions, rooms, deadlines, resumes).",
            labels=["table"],
        )
        for table, entries in self._count().items():
            family.add_metric([table], entries)
        yield family
