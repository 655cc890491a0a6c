"""Loopback ports and the cheapest liveness probes, without client libraries."""

import socket
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port the OS reports free right now (another process may still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether a server could listen on `port`; connections in TIME_WAIT do not count,
    as servers (PostgreSQL, valkey, aiohttp) bind with SO_REUSEADDR too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def preferred_or_free_port(preferred: int, host: str = LOOPBACK) -> int:
    """`preferred` when it is free, so URLs stay the same from run to run; else any free port."""
    return preferred if port_is_free(preferred, host) else free_port(host)


def redis_answers_ping(url: str, timeout: float = 1.0) -> bool:
    """True when the server at a `redis://host:port` URL answers PING with PONG.

    Speaks RESP over a raw socket so that probing for a local Redis needs no client
    library and never blocks longer than `timeout`.
    """
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or LOOPBACK, parts.port or 6379), timeout=timeout
        ) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
