"""The platform's processes by name: the module each runs and the variable that sets its port.

devstack runs them as `python -m <module>` (their public entry points) and imports none.
"""

from dataclasses import dataclass

from devstack.network import LOOPBACK

DASHBOARD = "dashboard"
DASHBOARD_PORT_VARIABLE = "DASHBOARD_PORT"


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port_variable: str | None = None
    """The variable its HTTP port is read from; None for a worker without one."""


SERVICES = (
    Service("api", "call_service.api", "CALL_SERVICE_PORT"),
    Service("relay", "call_service.relay"),
    Service("timers", "call_service.timers"),
    Service("webhooks", "call_service.webhooks"),
    Service("realtime", "realtime_service", "REALTIME_PORT"),
)
SERVICE_NAMES = tuple(s.name for s in SERVICES)
_BY_NAME = {s.name: s for s in SERVICES}

# Every port the stack gives out, by the name a caller uses for it in `StackConfig.ports`.
PORT_VARIABLES = {
    **{s.name: s.port_variable for s in SERVICES if s.port_variable is not None},
    DASHBOARD: DASHBOARD_PORT_VARIABLE,
}


def service(name: str) -> Service:
    """The service called `name` ("api", "relay", …); ValueError naming the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"no service {name!r}; known: {', '.join(SERVICE_NAMES)}") from None


def local_url(port: int | str) -> str:
    return f"http://{LOOPBACK}:{port}"
