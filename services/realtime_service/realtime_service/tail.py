"""`python -m realtime_service.tail ROOM...`: print a room's live messages as JSON lines.

An operator's view of what the dashboard receives: connect with a key, join the
rooms, print each `call_event` / `alert` on one line (pipe it into `jq`). With
`--count N` it exits after N messages, which makes it scriptable and testable.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import socketio

ACK_TIMEOUT_S = 5.0


class TailError(Exception):
    """Ends the CLI with a message on stderr and exit status 1."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    default_url = f"http://127.0.0.1:{os.environ.get('REALTIME_PORT', '8001')}"
    parser = argparse.ArgumentParser(prog="python -m realtime_service.tail", description=__doc__)
    parser.add_argument(
        "rooms", nargs="+", metavar="ROOM", help="call:<id>, queue:<id>, calls, alerts"
    )
    parser.add_argument(
        "--url", default=default_url, help=f"realtime service (default {default_url})"
    )
    parser.add_argument(
        "--key", default=os.environ.get("API_KEY"), help="calls:read key (default $API_KEY)"
    )
    parser.add_argument("--count", type=int, default=None, help="exit after N messages")
    parser.add_argument("--full", action="store_true", help="include the whole payload")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("an API key is required: --key KEY or the API_KEY environment variable")
    if args.count is not None and args.count < 1:
        parser.error("--count must be at least 1")
    return args


def summarise(room_event: str, payload: Any, full: bool) -> dict[str, Any]:
    """One output line: the fields a human scans for, plus the payload with --full."""
    line: dict[str, Any] = {"room_event": room_event}
    if room_event == "call_event" and isinstance(payload, dict):
        event, call = payload.get("event") or {}, payload.get("call") or {}
        line |= {
            "type": event.get("type"),
            "call_id": event.get("call_id"),
            "seq": event.get("seq"),
            "status": call.get("status"),
        }
    elif isinstance(payload, dict):
        line |= {k: payload.get(k) for k in ("kind", "id", "call_id", "queue_id", "detail")}
    if full:
        line["payload"] = payload
    return line


async def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # With --count the run is a script: a dropped connection ends it instead of retrying.
    client = socketio.AsyncClient(reconnection=args.count is None)
    done = asyncio.Event()
    seen = 0
    first_connect = True
    closed = False

    def printer(room_event: str) -> Any:
        async def on_message(payload: Any) -> None:
            nonlocal seen
            if done.is_set():
                return
            print(json.dumps(summarise(room_event, payload, args.full)), flush=True)
            seen += 1
            if args.count is not None and seen >= args.count:
                done.set()

        return on_message

    async def on_connect() -> None:
        nonlocal first_connect
        if not first_connect:  # after a reconnect the server has forgotten our rooms
            client.start_background_task(_resubscribe, client, args.rooms)
        first_connect = False

    async def on_disconnect(reason: Any = None) -> None:
        """Stop when no reconnect will follow: the server closed us, or --count is set."""
        nonlocal closed
        we_closed = reason == client.reason.CLIENT_DISCONNECT
        final = args.count is not None or reason == client.reason.SERVER_DISCONNECT
        if final and not we_closed and not done.is_set():
            closed = True
            done.set()

    client.on("call_event", printer("call_event"))
    client.on("alert", printer("alert"))
    client.on("connect", on_connect)
    client.on("disconnect", on_disconnect)
    try:
        await _connect(client, args.url, args.key)
        await _subscribe(client, args.rooms)
        await done.wait()
        if closed:
            raise TailError(f"connection to {args.url} closed after {seen} message(s)")
    except TailError as exc:
        print(f"tail: {exc}", file=sys.stderr)
        return 1
    finally:
        await client.disconnect()
    return 0


async def _connect(client: Any, url: str, key: str) -> None:
    errors: list[Any] = []
    client.on("connect_error", errors.append)
    try:
        await client.connect(url, auth={"apiKey": key}, wait_timeout=ACK_TIMEOUT_S)
    except socketio.exceptions.ConnectionError as exc:
        # The server's refusal arrives as {"message": ...}; transport failures as text.
        refusal = next((e for e in errors if isinstance(e, dict) and "message" in e), None)
        if refusal is not None:
            raise TailError(f"{url} refused the connection: {refusal['message']}") from exc
        raise TailError(f"cannot connect to {url}: {errors[0] if errors else exc}") from exc


async def _subscribe(client: Any, rooms: Sequence[str]) -> None:
    for room in rooms:
        try:
            ack = await client.call("subscribe", {"room": room}, timeout=ACK_TIMEOUT_S)
        except socketio.exceptions.TimeoutError as exc:
            raise TailError(f"no answer to subscribe {room}") from exc
        if not isinstance(ack, dict) or not ack.get("ok"):
            error = ack.get("error") if isinstance(ack, dict) else ack
            raise TailError(f"subscribe {room} refused: {error}")


async def _resubscribe(client: Any, rooms: Sequence[str]) -> None:
    try:
        await _subscribe(client, rooms)
    except TailError as exc:
        print(f"tail: {exc}", file=sys.stderr)


def run() -> int:
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(run())
