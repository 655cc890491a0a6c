"""One health check of a process over HTTP: does its URL answer 200 right now?"""

import http.client
from urllib.parse import urlsplit


def answers_ok(url: str, timeout: float = 1.0) -> bool:
    """True when a GET of `url` answers 200; False on any other status or no answer."""
    parts = urlsplit(url)
    connection_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
