"""Which events reach the namespace's handlers: lifecycle ones from the server only.

python-socketio routes every event by name to the namespace's `on_<name>` method — the
server's own `connect` and `disconnect`, and any event a connected client emits. A client
emitting `connect` or `disconnect` would so run those handlers on a live socket (replacing
its session, forgetting its resumes), and one emitting an unknown name, a name that is no
string, or too many arguments would fail in a task python-socketio starts and never reads.
`event_refusal` tells the namespace's `trigger_event` what to let through:

- `connect` when it carries the session's own request environ, the very object the server
  keeps for it (no client can send that);
- `disconnect` for a socket the server has marked as disconnecting (it always does first);
- `subscribe` / `unsubscribe` from the client, with at most one argument.
"""

from typing import Any

CLIENT_EVENTS = frozenset({"subscribe", "unsubscribe"})


def event_refusal(server: Any, namespace: str, event: object, args: tuple[Any, ...]) -> str | None:
    """Why `event` with `args` (the sid first) must not reach its handler, or None."""
    if not args:
        return "no sid"
    sid = args[0]
    manager = server.manager
    if event == "connect":
        eio_sid = manager.eio_sid_from_sid(sid, namespace)
        from_server = len(args) == 3 and args[1] is server.environ.get(eio_sid)
        return None if from_server else "connect emitted by a client"
    if event == "disconnect":
        from_server = sid in manager.pending_disconnect.get(namespace, ())
        return None if from_server else "disconnect emitted by a client"
    if not isinstance(event, str) or event not in CLIENT_EVENTS:
        return "unknown event"
    if len(args) > 2:
        return "more than one argument"
    return None
