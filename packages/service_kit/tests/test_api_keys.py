"""API_KEYS parsing and key identification."""

import hashlib

import pytest

from contracts.enums import Scope
from service_kit.api_keys import ApiKeyConfigError, parse_api_keys


def test_a_key_gets_exactly_its_scopes() -> None:
    ring = parse_api_keys("alpha:events:write+calls:read, beta:calls:read")
    alpha, beta = ring.identify("alpha"), ring.identify("beta")
    assert alpha is not None
    assert beta is not None
    assert alpha.scopes == {Scope.EVENTS_WRITE, Scope.CALLS_READ}
    assert beta.allows(Scope.CALLS_READ)
    assert not beta.allows(Scope.EVENTS_WRITE)


def test_admin_implies_every_scope() -> None:
    admin = parse_api_keys("root:admin").identify("root")
    assert admin is not None
    assert all(admin.allows(scope) for scope in Scope)


@pytest.mark.parametrize("presented", [None, "", "alph", "alpha ", "ALPHA"])
def test_unknown_or_missing_keys_are_not_identified(presented: str | None) -> None:
    assert parse_api_keys("alpha:calls:read").identify(presented) is None


def test_a_key_configured_by_its_sha256_matches_the_plain_key() -> None:
    digest = hashlib.sha256(b"s3cret").hexdigest()
    ring = parse_api_keys(f"sha256:{digest}:calls:read")
    assert ring.identify("s3cret") is not None
    assert ring.identify(f"sha256:{digest}") is None


def test_several_keys_may_share_a_scope_for_rotation() -> None:
    ring = parse_api_keys("old:events:write,new:events:write")
    assert ring.identify("old") is not None
    assert ring.identify("new") is not None
    assert len(ring) == 2


def test_recheck_finds_the_key_again_in_the_ring_of_the_moment() -> None:
    identity = parse_api_keys("alpha:calls:read,beta:admin").identify("alpha")
    assert identity is not None

    rotated = parse_api_keys("beta:admin,alpha:events:write")
    assert parse_api_keys("alpha:calls:read").recheck(identity) == identity
    assert rotated.recheck(identity) == rotated.identify("alpha")
    assert parse_api_keys("beta:admin").recheck(identity) is None


def test_the_identity_shows_no_digest() -> None:
    identity = parse_api_keys("alpha:calls:read").identify("alpha")
    assert identity is not None
    assert identity.digest.hex() not in repr(identity)


def test_the_label_does_not_reveal_the_key() -> None:
    identity = parse_api_keys("alpha:calls:read").identify("alpha")
    assert identity is not None
    assert "alpha" not in identity.label


@pytest.mark.parametrize(
    "spec", ["", "nokey", "k:", ":calls:read", "k:calls:write", "sha256:abc:calls:read"]
)
def test_malformed_specs_are_refused_at_start(spec: str) -> None:
    with pytest.raises(ApiKeyConfigError):
        parse_api_keys(spec)
