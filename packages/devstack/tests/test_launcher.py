"""The launcher's decisions, checked without starting the platform (the end-to-end, fault and
browser suites start it for real)."""

import socket
from pathlib import Path

import pytest

from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.launcher import LaunchError, Stack, StackConfig, require_free_ports, start_stack
from devstack.launcher.data_servers import DataServers
from devstack.launcher.environment import assign_ports, shared_environment
from devstack.launcher.failures import Teardown
from devstack.managed_process import ProcessExitedError

GIVEN = DataServers("postgresql://db/x", "redis://r/0", "the given database", "the given Redis")


def _stack(config: StackConfig) -> Stack:
    env = shared_environment(config, GIVEN, assign_ports(config))
    return Stack(config, env, GIVEN, Teardown(config.name, Console()))


def test_the_launchers_own_decisions_win_over_the_callers_env() -> None:
    keys = DevKeys.generate()
    config = StackConfig(
        env={"DATABASE_URL": "elsewhere", "API_KEYS": "old:admin", "LOG_LEVEL": "debug"},
        ports={"api": 18000},
        keys=keys,
    )
    env = shared_environment(config, GIVEN, assign_ports(config))
    assert env["DATABASE_URL"] == GIVEN.database_url
    assert env["REDIS_URL"] == GIVEN.redis_url
    assert env["API_KEYS"] == keys.api_keys_spec()
    assert env["LOG_LEVEL"] == "debug"
    assert env["CALL_SERVICE_PORT"] == "18000"
    assert env["REALTIME_PORT"].isdigit()
    assert "DASHBOARD_PORT" not in env  # no dashboard asked for


def test_a_service_gets_its_own_env_and_another_process_its_own_port() -> None:
    stack = _stack(StackConfig(process_env={"realtime": {"LOG_LEVEL": "warning"}}))
    second = stack.another("realtime-2", "realtime", SOMETHING="1")
    assert second.module == "realtime_service"
    assert second.env["LOG_LEVEL"] == "warning"
    assert second.env["SOMETHING"] == "1"
    assert second.env["REALTIME_PORT"] != stack.env["REALTIME_PORT"]
    assert second.health_url == f"{stack.urls['realtime-2']}/health"
    assert not second.is_running()
    relay = stack.another("relay-2", "relay")
    assert (relay.module, relay.health_url) == ("call_service.relay", None)
    with pytest.raises(ValueError, match="known: api, relay"):
        stack.another("x", "no-such-service")


def test_a_taken_fixed_port_is_refused_naming_its_variable() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(LaunchError, match=f"port {port} for api .* CALL_SERVICE_PORT"):
            require_free_ports({"api": port})


def test_teardown_runs_every_step_last_first_even_when_one_fails() -> None:
    ran: list[str] = []
    teardown = Teardown("t", Console())
    teardown.add(lambda: ran.append("first"))
    teardown.add(lambda: (_ for _ in ()).throw(OSError("gone")))
    teardown.add(lambda: ran.append("last"))
    failures = teardown.run()
    assert ran == ["last", "first"]
    assert [str(f) for f in failures] == ["gone"]
    assert teardown.run() == []  # each step runs once


def test_a_process_that_cannot_start_fails_the_start_with_its_output(tmp_path: Path) -> None:
    config = StackConfig(
        services=("api",),
        env={"API_KEYS": ""},  # the api refuses to start without keys
        database_url=GIVEN.database_url,
        migrate=False,
        redis_url=GIVEN.redis_url,
        log_dir=tmp_path,
        announce=lambda _text: None,
    )
    with pytest.raises(ProcessExitedError, match="api exited with code"):
        start_stack(config)
    assert (tmp_path / "api.log").read_text()
