from devstack.managed_process import ManagedProcess
from devstack.supervisor import Supervisor


def test_supervisor_reports_the_first_process_that_dies_and_stops_the_rest(
    standin_env: dict[str, str],
) -> None:
    web = ManagedProcess(
        "web", "tiny_http_server", standin_env, f"http://127.0.0.1:{standin_env['PORT']}/health"
    )
    worker = ManagedProcess("worker", "ignores_sigterm", standin_env)
    supervisor = Supervisor([web, worker])
    try:
        supervisor.start_all(timeout=20)
        assert supervisor.exited() == []

        web.kill()

        assert supervisor.wait_for_exit() is web
    finally:
        supervisor.stop_all(timeout=1)
    assert not worker.is_running()
    assert worker.returncode == -9
