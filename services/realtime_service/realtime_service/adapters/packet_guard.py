"""Every packet a client sends is handled or its session closed; a closed one leaves nothing.

python-socketio decodes and dispatches each Engine.IO message in engine.io's `message`
handler. An exception there (a packet it cannot decode: a nested JSON body deeper than the
interpreter's recursion limit, an unknown packet type, a stray binary attachment) is only
logged by engine.io, with a traceback, and the session stays as it was. `guard_packets`
wraps that handler: such a session is closed, and the failure is logged by type and place
only, since the packet may carry a key. (Events run in tasks python-socketio starts, and
the namespace's handlers answer their own failures: `api.namespace`.)

It also wraps engine.io's `disconnect` handler. python-socketio forgets a socket's
namespace state there only for sockets that finished connecting: one whose connect
failed midway (its connect handler raised) would stay in the manager for ever — its rooms,
`pending_connect` — and look connected to the auth deadline. After the handler, anything
left for the session in any namespace is dropped.
"""

from typing import Any

import structlog

from realtime_service.adapters.engineio_transport import close_transport
from realtime_service.adapters.metrics import RealtimeMetrics
from realtime_service.domain.failure_fields import failure_fields

_log = structlog.get_logger(__name__)


def guard_packets(sio: Any, metrics: RealtimeMetrics) -> None:
    """Wrap the Engine.IO `message` and `disconnect` handlers of python-socketio's server."""
    on_message = sio.eio.handlers["message"]
    on_disconnect = sio.eio.handlers["disconnect"]

    async def message(eio_sid: str, data: Any) -> None:
        try:
            await on_message(eio_sid, data)
        except Exception as exc:  # noqa: BLE001 - any packet may be hostile; logged, closed
            metrics.refused_packets.inc()
            _log.warning("socket_packet_refused", eio_sid=eio_sid, **failure_fields(exc))
            await close_transport(sio.eio, eio_sid, abort_after_s=0)

    async def disconnect(eio_sid: str, reason: Any = None) -> None:
        try:
            await on_disconnect(eio_sid, reason)
        finally:
            await _forget_leftovers(sio.manager, eio_sid)

    sio.eio.on("message", message)
    sio.eio.on("disconnect", disconnect)


async def _forget_leftovers(manager: Any, eio_sid: str) -> None:
    for namespace in list(manager.get_namespaces()):
        sid = manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is not None:
            _log.info("socket_state_dropped", eio_sid=eio_sid, namespace=namespace)
            await manager.disconnect(sid, namespace, ignore_queue=True)
