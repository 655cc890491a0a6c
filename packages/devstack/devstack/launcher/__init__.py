"""The one way to start the platform: api, relay, timers, webhooks and realtime (and the
dashboard when asked) as `ManagedProcess`es, against given or embedded data servers.

    with start_stack(StackConfig(name="bench", keys=DevKeys.generate())) as stack:
        stack.api_url, stack.realtime_url, stack.processes["relay"].kill(), …

`make run` (`devstack.local_stack`), `make bench` and `make soak` (bench/stack.py), and the
end-to-end, fault and browser suites (`devstack.stack_for_tests`) each describe their
stack with a `StackConfig` (ports, database, env, per-service env, logs) and start it here.
"""

from devstack.launcher.config import StackConfig
from devstack.launcher.environment import require_free_ports
from devstack.launcher.failures import LAUNCH_FAILURES, LaunchError, StackStopError
from devstack.launcher.services import DASHBOARD, PORT_VARIABLES, SERVICE_NAMES, SERVICES
from devstack.launcher.stack import Stack, start_stack

__all__ = [
    "DASHBOARD",
    "LAUNCH_FAILURES",
    "PORT_VARIABLES",
    "SERVICES",
    "SERVICE_NAMES",
    "LaunchError",
    "Stack",
    "StackConfig",
    "StackStopError",
    "require_free_ports",
    "start_stack",
]
