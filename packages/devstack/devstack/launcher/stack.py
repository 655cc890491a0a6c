"""`start_stack(config)`: the platform's processes up and healthy; `Stack.stop()` ends it all.

In order: the data servers (given or embedded), migrations, then every process at once,
each waited for until it answers its health check (one shared deadline). A start that
fails half-way undoes what it did before raising. Stopping sends SIGTERM to every process
at once (SIGKILL after a grace period), then stops the embedded servers, drops a fresh
database and removes the temp dir.
"""

from collections.abc import Mapping
from pathlib import Path

from devstack import dashboard
from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.launcher.config import StackConfig
from devstack.launcher.data_servers import DataServers, provide_data_servers
from devstack.launcher.environment import assign_ports, require_free_ports, shared_environment
from devstack.launcher.failures import StackStopError, Teardown
from devstack.launcher.services import DASHBOARD, local_url, service
from devstack.managed_process import ManagedProcess
from devstack.migrations import run_migrations
from devstack.network import free_port
from devstack.supervisor import Supervisor

STOP_TIMEOUT_S = 10.0


class Stack:
    """A started platform: its processes by name, where they listen, what they got."""

    def __init__(
        self, config: StackConfig, env: dict[str, str], servers: DataServers, teardown: Teardown
    ) -> None:
        self.config = config
        self.env = env
        """The environment every process was started with (before its service's own)."""
        self.database_url = servers.database_url
        self.redis_url = servers.redis_url
        self.database = servers.database
        self.redis = servers.redis
        self.keys: DevKeys | None = config.keys
        self.processes: dict[str, ManagedProcess] = {}
        """Every process the stack stops: the services, the dashboard, those `add`ed."""
        self.urls: dict[str, str] = {}
        """The base URL of each process that serves HTTP (those of `another` too)."""
        self._console = config.console or Console()
        self._teardown = teardown
        teardown.add(self._stop_processes)

    @property
    def api_url(self) -> str:
        return local_url(self.env["CALL_SERVICE_PORT"])

    @property
    def realtime_url(self) -> str:
        return local_url(self.env["REALTIME_PORT"])

    @property
    def dashboard_url(self) -> str | None:
        """None unless the stack serves the dashboard."""
        return self.urls.get(DASHBOARD)

    def output(self, name: str) -> str:
        """The last lines a process printed."""
        return "\n".join(self.processes[name].recent_output())

    def another(self, name: str, service_name: str, **overrides: str) -> ManagedProcess:
        """One more process of a service (not started: the caller starts and stops it), e.g.
        a second relay, or a second realtime on a free port of its own; `overrides` are laid
        over its environment."""
        variable = service(service_name).port_variable
        if variable is not None:
            overrides.setdefault(variable, str(free_port()))
        return self._process(name, service_name, overrides)

    def add(self, name: str, service_name: str, **overrides: str) -> ManagedProcess:
        """`another` process, started, healthy and stopped with the stack."""
        process = self.another(name, service_name, **overrides)
        self.processes[name] = process
        process.start()
        process.wait_healthy(self.config.start_timeout_s)
        return process

    def wait_for_exit(self) -> ManagedProcess:
        """Block until some process ends by itself; that process."""
        return Supervisor(list(self.processes.values())).wait_for_exit()

    def stop(self) -> None:
        """Stop everything; StackStopError (after every step ran) if a step failed."""
        failures = self._teardown.run()
        if failures:
            raise StackStopError("; ".join(str(f) for f in failures))

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        """The configured services and the dashboard, started and healthy."""
        for name in self.config.services:
            self.processes[name] = self._process(name, name, {})
        if self.config.dashboard is not None:
            self.processes[DASHBOARD] = self._dashboard(self.config.dashboard)
        Supervisor(list(self.processes.values())).start_all(self.config.start_timeout_s)

    def _process(
        self, name: str, service_name: str, overrides: Mapping[str, str]
    ) -> ManagedProcess:
        spec = service(service_name)
        env = {**self.env, **self.config.process_env.get(service_name, {}), **overrides}
        health_url = None
        if spec.port_variable is not None:
            self.urls[name] = local_url(env[spec.port_variable])
            health_url = f"{self.urls[name]}/health"
        return ManagedProcess(
            name,
            spec.module,
            env,
            health_url,
            console=self._console,
            output_file=self._log_file(name),
        )

    def _dashboard(self, frontend: Path) -> ManagedProcess:
        env = {**self.env, **self.config.process_env.get(DASHBOARD, {})}
        self.urls[DASHBOARD] = local_url(env["DASHBOARD_PORT"])
        return dashboard.server(frontend, env, self._console, self._log_file(DASHBOARD))

    def _log_file(self, name: str) -> Path | None:
        log_dir = self.config.log_dir
        return log_dir / f"{name}.log" if log_dir is not None else None

    def _stop_processes(self) -> None:
        Supervisor(list(self.processes.values())).stop_all(STOP_TIMEOUT_S)


def start_stack(config: StackConfig) -> Stack:
    """Start what `config` asks for; the running `Stack` (a context manager that stops it)."""
    console = config.console or Console()
    announce = config.announce or console.block
    teardown = Teardown(config.name, console)
    try:
        require_free_ports(config.ports)
        servers = provide_data_servers(config, teardown, announce)
        env = shared_environment(config, servers, assign_ports(config))
        if config.migrate:
            announce(f"{config.name}: running migrations")
            log = config.log_dir / "migrate.log" if config.log_dir is not None else None
            run_migrations(servers.database_url, env, console=console, output_file=log)
        stack = Stack(config, env, servers, teardown)
        names = [*config.services, *([DASHBOARD] if config.dashboard else [])]
        announce(f"{config.name}: starting {', '.join(names)}")
        stack._start()
    except BaseException:
        teardown.run()
        raise
    return stack
