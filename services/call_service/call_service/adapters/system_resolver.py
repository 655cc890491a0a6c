"""The system's name lookups, as the `HostResolver` port (service/target_check.py)."""

import asyncio
import socket


class SystemResolver:
    """The event loop's getaddrinfo (a thread of the default executor)."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        return [str(info[4][0]) for info in infos]
