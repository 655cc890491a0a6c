"""The ports a stack listens on and the environment its processes share."""

from collections.abc import Mapping

from devstack.launcher.config import StackConfig
from devstack.launcher.data_servers import DataServers
from devstack.launcher.failures import LaunchError
from devstack.launcher.services import DASHBOARD, PORT_VARIABLES
from devstack.network import free_port, port_is_free


def require_free_ports(ports: Mapping[str, int]) -> None:
    """LaunchError naming the first fixed port something else already listens on."""
    for name, port in ports.items():
        variable = PORT_VARIABLES.get(name)
        if variable is None:
            raise LaunchError(f"no port called {name!r}; known: {', '.join(PORT_VARIABLES)}")
        if not port_is_free(port):
            raise LaunchError(
                f"port {port} for {name} is in use: stop what holds it or set {variable}"
            )


def assign_ports(config: StackConfig) -> dict[str, int]:
    """The fixed ports of `config`, and a free one for every other port the stack needs."""
    wanted = [name for name in PORT_VARIABLES if name != DASHBOARD]
    if config.dashboard is not None or DASHBOARD in config.ports:
        wanted.append(DASHBOARD)
    return {name: config.ports.get(name) or free_port() for name in wanted}


def shared_environment(
    config: StackConfig, servers: DataServers, ports: Mapping[str, int]
) -> dict[str, str]:
    """`config.env` with what the launcher decided laid over it."""
    env = {
        **config.env,
        "DATABASE_URL": servers.database_url,
        "REDIS_URL": servers.redis_url,
        **{PORT_VARIABLES[name]: str(port) for name, port in ports.items()},
    }
    if config.keys is not None:
        env["API_KEYS"] = config.keys.api_keys_spec()
    return env
