import stat
from pathlib import Path

import pytest

from contracts.enums import Scope
from devstack.dev_keys import DevKeysError, load_or_create
from service_kit.api_keys import parse_api_keys


def test_keys_are_made_once_stored_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".data" / "api_keys.json"

    first = load_or_create(path)
    second = load_or_create(path)

    assert first == second
    assert len({first.producer, first.supervisor, first.admin}) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_spec_gives_each_role_its_scopes(tmp_path: Path) -> None:
    keys = load_or_create(tmp_path / "api_keys.json")
    ring = parse_api_keys(keys.api_keys_spec())

    producer = ring.identify(keys.producer)
    supervisor = ring.identify(keys.supervisor)
    admin = ring.identify(keys.admin)
    assert producer is not None
    assert producer.scopes == {Scope("events:write")}
    assert supervisor is not None
    assert supervisor.scopes == {Scope("calls:read"), Scope("alerts:ack")}
    assert admin is not None
    assert admin.scopes == {Scope("admin")}


def test_a_damaged_key_file_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "api_keys.json"
    path.write_text("{not json")

    with pytest.raises(DevKeysError, match="delete it"):
        load_or_create(path)
    assert path.read_text() == "{not json"
