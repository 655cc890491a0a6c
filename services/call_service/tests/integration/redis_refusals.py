"""Real Redis servers that answer but refuse writes: an ACL user, out of memory, a replica.

- `write_refusing_user`: a user of its own on the shared test Redis that may connect,
  read and subscribe but not write or publish (NOPERM), until `allow_writes()`.
- `out_of_memory`: a private server at `maxmemory 1` with `noeviction` (OOM).
- `read_only_replica`: a second private server made a replica of the first (READONLY).
"""

import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as redis

from devstack.network import free_port
from devstack.valkey_server import EmbeddedValkey

REFUSED = ("+@all", "-@write", "-publish", "-spublish")


def url_as(redis_url: str, user: str, password: str) -> str:
    parts = urlsplit(redis_url)
    netloc = f"{user}:{password}@{parts.hostname}:{parts.port or 6379}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass
class WriteRefusingUser:
    url: str
    name: str
    admin: redis.Redis

    async def allow_writes(self) -> None:
        await self.admin.execute_command("ACL", "SETUSER", self.name, "+@all")


@contextlib.asynccontextmanager
async def write_refusing_user(redis_url: str) -> AsyncIterator[WriteRefusingUser]:
    admin = redis.from_url(redis_url)
    name, password = f"test-no-write-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    await admin.execute_command(
        "ACL", "SETUSER", name, "reset", "on", f">{password}", "~*", "&*", *REFUSED
    )
    try:
        yield WriteRefusingUser(url_as(redis_url, name, password), name, admin)
    finally:
        await admin.execute_command("ACL", "DELUSER", name)
        await admin.aclose()


async def out_of_memory(server: EmbeddedValkey) -> None:
    """Every command that may grow memory now answers OOM."""
    admin = redis.from_url(server.url)
    try:
        await admin.config_set("maxmemory-policy", "noeviction")
        await admin.config_set("maxmemory", "1")
    finally:
        await admin.aclose()


@contextlib.asynccontextmanager
async def read_only_replica(primary: EmbeddedValkey) -> AsyncIterator[str]:
    """A replica of `primary`: it answers reads and refuses every write (READONLY)."""
    with tempfile.TemporaryDirectory(prefix="devstack-replica-") as root:
        replica = EmbeddedValkey(free_port(), Path(root) / "valkey")
        replica.start()
        client = redis.from_url(replica.url)
        try:
            await client.execute_command("REPLICAOF", "127.0.0.1", str(primary.port))
            yield replica.url
        finally:
            await client.aclose()
            replica.stop()
