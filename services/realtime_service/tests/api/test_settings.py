"""Settings read from the environment: defaults, every variable, and refusals naming it."""

import pytest

from contracts.enums import Scope
from contracts.realtime import RELAY_CHANNEL
from realtime_service.api.settings import Settings, SettingsError

MINIMAL = {"REDIS_URL": "redis://redis.invalid/0", "API_KEYS": "k1:calls:read"}
"""Only parsed, never connected to."""


def test_defaults_apply_when_only_required_values_are_set() -> None:
    settings = Settings.from_env(MINIMAL)

    assert settings.host == "127.0.0.1"
    assert settings.port == 8001
    assert settings.redis_channel == RELAY_CHANNEL
    assert settings.cors_origins == ("http://127.0.0.1:3000", "http://localhost:3000")
    assert settings.database_url is None
    assert settings.max_queued_messages == 2000
    assert settings.resumes_per_minute == 30
    identity = settings.api_keys.identify("k1")
    assert identity is not None
    assert identity.allows(Scope.CALLS_READ)


def test_keys_with_scopes_containing_a_colon_are_accepted() -> None:
    settings = Settings.from_env(MINIMAL | {"API_KEYS": "k1:calls:read+alerts:ack"})

    identity = settings.api_keys.identify("k1")
    assert identity is not None
    assert identity.scopes == {Scope.CALLS_READ, Scope.ALERTS_ACK}


def test_every_optional_value_is_read_from_the_environment() -> None:
    settings = Settings.from_env(
        MINIMAL
        | {
            "REALTIME_PORT": "9001",
            "REALTIME_HOST": "0.0.0.0",
            "REDIS_CHANNEL": "custom",
            "CORS_ORIGINS": "https://ops.example.com, http://localhost:4000 ,",
            "DATABASE_URL": " postgresql://reader@db.invalid/calls ",
            "REALTIME_MAX_QUEUED_MESSAGES": "5000",
            "REALTIME_RESUMES_PER_MINUTE": "6",
        }
    )
    assert settings.database_url == "postgresql://reader@db.invalid/calls"
    assert (settings.max_queued_messages, settings.resumes_per_minute) == (5000, 6)

    assert (settings.host, settings.port, settings.redis_channel) == ("0.0.0.0", 9001, "custom")
    assert settings.cors_origins == ("https://ops.example.com", "http://localhost:4000")


def test_default_cors_origins_follow_the_dashboard_port() -> None:
    settings = Settings.from_env(MINIMAL | {"DASHBOARD_PORT": "3100"})

    assert settings.cors_origins == ("http://127.0.0.1:3100", "http://localhost:3100")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"API_KEYS": "k1:calls:read"}, "REDIS_URL is required"),
        ({"REDIS_URL": "redis://x"}, "API_KEYS is required"),
        (MINIMAL | {"REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        (MINIMAL | {"API_KEYS": "k1:root"}, "API_KEYS is invalid"),
        (MINIMAL | {"REALTIME_PORT": "eighty"}, "REALTIME_PORT must be a port number"),
        (MINIMAL | {"REALTIME_PORT": "70000"}, "REALTIME_PORT must be a port number"),
        (MINIMAL | {"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with postgresql://"),
        (MINIMAL | {"REALTIME_PORT": "9" * 5000}, "REALTIME_PORT must be a port number"),
        (MINIMAL | {"REALTIME_PORT": "\uff18\uff10\uff18\uff10"}, "REALTIME_PORT must be a port"),
        (MINIMAL | {"REALTIME_MAX_QUEUED_MESSAGES": "1000"}, "at least 1001"),
        (MINIMAL | {"REALTIME_MAX_QUEUED_MESSAGES": "lots"}, "REALTIME_MAX_QUEUED_MESSAGES"),
        (MINIMAL | {"REALTIME_RESUMES_PER_MINUTE": "0"}, "REALTIME_RESUMES_PER_MINUTE"),
        (MINIMAL | {"REALTIME_RESUMES_PER_MINUTE": "9" * 5000}, "REALTIME_RESUMES_PER"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_invalid_api_keys_message_never_contains_the_key() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(MINIMAL | {"API_KEYS": "super-secret-value:nope"})

    assert "super-secret-value" not in str(raised.value)
