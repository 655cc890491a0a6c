import subprocess
import time
from pathlib import Path

import psutil
import pytest

from devstack.health_probe import answers_ok
from devstack.managed_process import HealthTimeoutError, ManagedProcess, ProcessExitedError
from devstack.network import free_port


def _server(env: dict[str, str]) -> ManagedProcess:
    return ManagedProcess("tiny", "tiny_http_server", env, f"http://127.0.0.1:{env['PORT']}/health")


def test_process_becomes_healthy_and_stops_on_sigterm(standin_env: dict[str, str]) -> None:
    process = _server(standin_env)
    process.start()
    process.wait_healthy(timeout=20)

    assert process.is_running()
    assert process.stop() == 0
    assert not process.is_running()
    assert f"listening on {standin_env['PORT']}" in process.recent_output()
    assert not answers_ok(process.health_url or "")


def test_kill_ends_the_process_at_once(standin_env: dict[str, str]) -> None:
    process = _server(standin_env)
    process.start()
    process.wait_healthy(timeout=20)

    assert process.kill() == -9
    assert process.returncode == -9


def test_restart_serves_again_on_the_same_url(standin_env: dict[str, str]) -> None:
    process = _server(standin_env)
    with process:
        first_pid = process.pid
        process.restart(timeout=20)

        assert process.pid != first_pid
        assert answers_ok(process.health_url or "")


def test_context_manager_waits_until_healthy_and_stops(standin_env: dict[str, str]) -> None:
    with _server(standin_env) as process:
        assert answers_ok(process.health_url or "")
    assert process.returncode == 0


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(
    standin_env: dict[str, str],
) -> None:
    process = ManagedProcess("stubborn", "ignores_sigterm", standin_env)
    process.start()
    _wait_for_line(process, "ignoring SIGTERM")

    started = time.monotonic()
    assert process.stop(timeout=0.5) == -9
    assert time.monotonic() - started < 5


def test_stop_also_ends_what_the_process_spawned(standin_env: dict[str, str]) -> None:
    process = ManagedProcess("parent", "spawns_child", standin_env)
    process.start()
    line = _wait_for_line(process, "child ")
    child = psutil.Process(int(line.split()[1]))

    process.stop(timeout=5)

    deadline = time.monotonic() + 5
    while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the grandchild outlived stop()"
        time.sleep(0.02)


def test_wait_healthy_fails_fast_when_the_process_exits(standin_env: dict[str, str]) -> None:
    process = ManagedProcess("crashy", "crashes", standin_env, "http://127.0.0.1:9/health")
    process.start()

    with pytest.raises(ProcessExitedError, match="exited with code 3") as raised:
        process.wait_healthy(timeout=20)
    assert "cannot start: no configuration" in str(raised.value)


def test_wait_healthy_times_out_when_health_never_answers(standin_env: dict[str, str]) -> None:
    silent_url = f"http://127.0.0.1:{free_port()}/health"
    process = ManagedProcess("stubborn", "ignores_sigterm", standin_env, silent_url)
    process.start()
    try:
        with pytest.raises(HealthTimeoutError, match="not healthy after"):
            process.wait_healthy(timeout=0.5)
    finally:
        process.kill()


def test_a_process_without_health_url_is_healthy_while_it_runs(
    standin_env: dict[str, str],
) -> None:
    with ManagedProcess("stubborn", "ignores_sigterm", standin_env) as process:
        assert process.is_running()
        process.kill()


def _wait_for_line(process: ManagedProcess, prefix: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in process.recent_output():
            if line.startswith(prefix):
                return line
        time.sleep(0.05)
    raise AssertionError(f"{process.name} never printed {prefix!r}: {process.recent_output()}")


def test_an_arbitrary_command_runs_in_its_directory(tmp_path: Path) -> None:
    process = ManagedProcess(
        "shell",
        "sh",
        command=["sh", "-c", 'echo "in $(pwd) with $GREETING"'],
        cwd=tmp_path,
        env={"GREETING": "hello"},
    )
    process.start()

    assert process.wait(timeout=20) == 0
    assert process.recent_output() == [f"in {tmp_path} with hello"]


def test_output_file_receives_the_output_and_feeds_recent_output(
    standin_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "crashy.log"
    process = ManagedProcess("crashy", "crashes", standin_env, output_file=log)
    process.start()

    assert process.wait(timeout=20) == 3
    assert log.read_text() == "cannot start: no configuration\n"
    assert process.recent_output() == ["cannot start: no configuration"]
    process.start()  # a restart appends
    process.wait(timeout=20)
    assert log.read_text().count("cannot start") == 2


def test_run_returns_the_exit_code(standin_env: dict[str, str]) -> None:
    process = ManagedProcess("crashy", "crashes", standin_env)

    assert process.run(timeout=20) == 3
    assert process.recent_output() == ["cannot start: no configuration"]


def test_run_past_its_timeout_raises_and_stops_the_process(standin_env: dict[str, str]) -> None:
    process = _server(standin_env)

    with pytest.raises(subprocess.TimeoutExpired):
        process.run(timeout=0.5)
    assert not process.is_running()
