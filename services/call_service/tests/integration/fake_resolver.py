"""A `HostResolver` of the tests' own: answers from a table, records every lookup."""

import socket
from collections.abc import Callable

PUBLIC_ADDRESS = "93.184.216.34"
Answer = list[str] | Callable[[int], list[str]]


class TableResolver:
    """`table[name]` is a list of addresses, or a function of the lookup's number (0, 1, …)."""

    def __init__(self, table: dict[str, Answer]) -> None:
        self.table = table
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        number = self.lookups.count(host)
        self.lookups.append(host)
        answer = self.table.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answer(number) if callable(answer) else list(answer)


def public_then(address: str) -> Callable[[int], list[str]]:
    """A rebinding name: a public address on the first lookup, `address` on every later one."""
    return lambda number: [PUBLIC_ADDRESS] if number == 0 else [address]
