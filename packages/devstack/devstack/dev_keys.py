"""API keys for local development: made once, kept in `.data/api_keys.json`, reused.

Keeping them across runs means a producer script, the tail client and a dashboard
tab keep working after `make run` restarts. The file is readable by its owner only.
"""

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType

ROLE_SCOPES = MappingProxyType(
    {"producer": "events:write", "supervisor": "calls:read+alerts:ack", "admin": "admin"}
)


class DevKeysError(RuntimeError):
    """The stored key file exists but cannot be used."""


@dataclass(frozen=True)
class DevKeys:
    producer: str
    supervisor: str
    admin: str

    @classmethod
    def generate(cls) -> "DevKeys":
        return cls(*(secrets.token_urlsafe(32) for _ in range(3)))

    def api_keys_spec(self) -> str:
        """The `API_KEYS` value: `key:scope[+scope…]`, comma-separated."""
        return ",".join(f"{key}:{ROLE_SCOPES[role]}" for role, key in asdict(self).items())

    def roles(self) -> list[tuple[str, str, str]]:
        """(role, scopes, key) for printing."""
        return [(role, ROLE_SCOPES[role], key) for role, key in asdict(self).items()]


def load_or_create(path: Path) -> DevKeys:
    """The keys stored at `path`, generating and storing them (mode 0600) on first use."""
    if path.exists():
        path.chmod(0o600)
        try:
            stored = json.loads(path.read_text())
            return DevKeys(**{role: str(stored[role]) for role in ROLE_SCOPES})
        except (ValueError, KeyError, TypeError) as exc:
            raise DevKeysError(
                f"{path} is not a usable key file; delete it to make new keys"
            ) from exc
    keys = DevKeys.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(keys), handle, indent=2)
        handle.write("\n")
    return keys
