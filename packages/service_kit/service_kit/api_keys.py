"""API keys with scopes, parsed from `API_KEYS` and checked in constant time.

Format: comma-separated `key:scope[+scope…]`; a key cannot contain ':' or ','.
A key may also be given as `sha256:<64 hex>` so the plain key never sits in the
environment. Keys are kept only as SHA-256 digests, and every configured digest
is compared on each check, so neither the key nor the timing leaks which matched.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from contracts.enums import Scope


class ApiKeyConfigError(ValueError):
    """API_KEYS is malformed; raised at start-up, never per request."""


@dataclass(frozen=True)
class KeyIdentity:
    """Who a presented key is: a short, non-secret label and its scopes."""

    label: str
    scopes: frozenset[Scope]
    digest: bytes = field(repr=False)
    """SHA-256 of the key, so a long-lived connection can be checked again against the
    ring (`ApiKeyRing.recheck`) without keeping the key; never logged, not the key itself
    (presenting it as a key fails: it would be hashed again)."""

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


class ApiKeyRing:
    def __init__(self, entries: Iterable[KeyIdentity]) -> None:
        self._entries = tuple(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def identify(self, presented: str | None) -> KeyIdentity | None:
        """The identity of `presented`, or None. Constant time in which key matched."""
        if not presented:
            return None
        try:
            # Header bytes that are not UTF-8 arrive as lone surrogates (aiohttp decodes
            # with surrogateescape), and so do JSON `\ud800` escapes on sockets: such a
            # value is no key of ours, so it is unknown rather than an error.
            raw = presented.encode()
        except UnicodeEncodeError:
            return None
        return self._find(hashlib.sha256(raw).digest())

    def recheck(self, identity: KeyIdentity) -> KeyIdentity | None:
        """What this ring says now about a key identified earlier (maybe by another ring):
        None once the key is gone, its current scopes otherwise."""
        return self._find(identity.digest)

    def _find(self, digest: bytes) -> KeyIdentity | None:
        """Compares every entry, so the time taken does not tell which one matched."""
        found: KeyIdentity | None = None
        for entry in self._entries:
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        return found


def parse_api_keys(spec: str) -> ApiKeyRing:
    entries = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        # Scopes contain ':' themselves, so split after the key: the first ':' ends
        # a plain key, the second one a `sha256:<hex>` key.
        hashed = item.startswith("sha256:")
        key, sep, scope_text = item.removeprefix("sha256:").partition(":")
        key = f"sha256:{key}" if hashed else key
        if not sep or not key or not scope_text:
            raise ApiKeyConfigError("each API_KEYS entry must be key:scope[+scope...]")
        try:
            scopes = frozenset(Scope(s) for s in scope_text.split("+"))
        except ValueError as exc:
            raise ApiKeyConfigError(f"unknown scope in {scope_text!r}") from exc
        digest = _digest_of(key)
        entries.append(KeyIdentity(label=digest.hex()[:8], scopes=scopes, digest=digest))
    if not entries:
        raise ApiKeyConfigError("API_KEYS holds no key")
    return ApiKeyRing(entries)


def _digest_of(key: str) -> bytes:
    if key.startswith("sha256:"):
        hex_digest = key.removeprefix("sha256:")
        try:
            digest = bytes.fromhex(hex_digest)
        except ValueError as exc:
            raise ApiKeyConfigError("sha256: keys need 64 hex digits") from exc
        if len(digest) != 32:
            raise ApiKeyConfigError("sha256: keys need 64 hex digits")
        return digest
    return hashlib.sha256(key.encode()).digest()
