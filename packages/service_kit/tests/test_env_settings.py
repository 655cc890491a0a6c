"""The environment readers every service's settings use: defaults, bounds, the error's words."""

import pytest

from service_kit.env_settings import (
    SettingsError,
    comma_list,
    cors_origins,
    count,
    number,
    port,
    required,
    url,
)


def test_unset_or_blank_values_take_the_default() -> None:
    env = {"BLANK": "  "}
    assert number(env, "BLANK", 1.5) == 1.5
    assert number(env, "UNSET", 2.0) == 2.0
    assert count(env, "BLANK", 7) == 7
    assert port(env, "BLANK", 8000) == 8000
    assert comma_list(env, "UNSET") == ()
    assert url(env, "UNSET", ["redis://"]) == ""


def test_numbers_must_be_positive_unless_zero_is_allowed() -> None:
    assert number({"X": "0.25"}, "X", 1.0) == 0.25
    assert number({"X": "0"}, "X", 1.0, allow_zero=True) == 0
    for bad in ("0", "-1", "nan", "ten"):
        with pytest.raises(SettingsError, match=r"^X must be"):
            number({"X": bad}, "X", 1.0)


@pytest.mark.parametrize("bad", ["0", "-3", "2.5", "+4", "\uff18", "9" * 5000])
def test_counts_are_small_whole_numbers_of_at_least_the_minimum(bad: str) -> None:
    with pytest.raises(SettingsError, match="N must be a whole number of at least 1"):
        count({"N": bad}, "N", 5)


def test_count_minimum_can_be_zero_or_more() -> None:
    assert count({"N": "0"}, "N", 5, minimum=0) == 0
    with pytest.raises(SettingsError, match="at least 11"):
        count({"N": "10"}, "N", 5, minimum=11)


@pytest.mark.parametrize("bad", ["0", "65536", "eighty", "9" * 5000])
def test_ports_are_1_to_65535(bad: str) -> None:
    with pytest.raises(SettingsError, match="P must be a port number"):
        port({"P": bad}, "P", 8000)


def test_required_names_the_variable() -> None:
    assert required({"K": " v "}, "K") == "v"
    with pytest.raises(SettingsError, match="K is required but not set"):
        required({"K": " "}, "K")


def test_url_schemes_are_spelled_in_the_error() -> None:
    assert url({"U": "postgres://x"}, "U", ["postgresql://", "postgres://"]) == "postgres://x"
    with pytest.raises(SettingsError, match="U must start with postgresql:// or postgres://"):
        url({"U": "mysql://x"}, "U", ["postgresql://", "postgres://"])


def test_cors_origins_default_to_the_dashboards_origins() -> None:
    assert cors_origins({}) == ("http://127.0.0.1:3000", "http://localhost:3000")
    assert cors_origins({"DASHBOARD_PORT": "3100"})[1] == "http://localhost:3100"
    assert cors_origins({"CORS_ORIGINS": " https://a.example, ,http://b:1 "}) == (
        "https://a.example",
        "http://b:1",
    )
