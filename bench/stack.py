"""The platform for the soak and the benchmark: what `make run` starts (api, relay, timers,
webhooks, realtime), started by devstack's launcher on free ports, in a data dir of its own.

PostgreSQL and Redis are embedded unless DATABASE_URL / REDIS_URL are set; with DATABASE_URL a
fresh database is created on that server and dropped at the end, and the stack always uses a
Redis channel of its own. Any other variable of the caller's environment reaches the processes
unchanged (API_WORKERS, LOG_LEVEL, RELAY_BATCH_SIZE …), so a knob added to a service is
benchmarked without touching this file; `StackOptions.env` sets more.

The processes' output goes either to one stream, each line prefixed with the process's name
(the soak's single log), or straight from each child to `<log_dir>/<name>.log` (the benchmark:
no thread in this process spends the CPU the load generator needs on forwarding log lines).
"""

import os
import secrets
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from devstack import launcher
from devstack.console import Console
from devstack.dev_keys import DevKeys
from devstack.launcher import LAUNCH_FAILURES, Stack, StackConfig

# The seeded queues' rule thresholds, far above a scripted call's life: workloads stay valid
# (no `call_retransfer` moves a ringing call back to waiting under them), and calls still
# open when posting stops get no timer events while the run drains.
QUIET_THRESHOLDS = {
    "SLA_SECONDS": "3600",
    "NO_ANSWER_SECONDS": "3600",
    "MAX_HOLD_SECONDS": "3600",
    "SHORT_CALL_SECONDS": "10",
}
# Recorded with results: the knobs of the caller's environment that shaped the run.
KNOB_PREFIXES = (
    "API_",
    "ASYNCIO_",
    "DB_",
    "LOG_",
    "RATE_LIMIT_",
    "REALTIME_",
    "RELAY_",
    "TIMERS_",
    "WEBHOOKS_",
)
# What starting or running the stack can raise that the soak and the bench report in one
# line (and exit 1) instead of a traceback; RuntimeError covers the parts' own errors.
STACK_FAILURES: tuple[type[BaseException], ...] = (RuntimeError, *LAUNCH_FAILURES)


@dataclass(frozen=True)
class StackOptions:
    name: str = "soak"
    """Prefix of the temp dir, database, Redis channel and progress lines."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Laid over the processes' environment, after the stack's own variables."""
    log_dir: Path | None = None
    """Each process writes `<log_dir>/<name>.log`; None: every line goes to `log`."""


def environment_knobs() -> dict[str, str]:
    """Variables of this environment that configure the services (keys and URLs left out)."""
    return {
        k: v
        for k, v in sorted(os.environ.items())
        if (k.startswith(KNOB_PREFIXES) or k.endswith("_WORKERS")) and k != "API_KEYS"
    }


def dev_keys(stack: Stack) -> DevKeys:
    """The keys the stack was started with (always generated here)."""
    if stack.keys is None:
        raise RuntimeError("the stack has no dev keys")
    return stack.keys


def start_stack(cleanup: ExitStack, log: TextIO, options: StackOptions | None = None) -> Stack:
    """Start everything; `cleanup` stops it all when it closes."""
    options = options or StackOptions()
    given_database = os.environ.get("DATABASE_URL") or None
    env = {
        **QUIET_THRESHOLDS,
        "REDIS_CHANNEL": f"{options.name}-{secrets.token_hex(8)}",
        "LOG_FORMAT": "json",
        "API_WORKERS": os.environ.get("API_WORKERS", "0"),  # as `make run`: one per core
        # Never collide with a `make run` on the same machine.
        **dict.fromkeys(("RELAY_METRICS_PORT", "TIMERS_METRICS_PORT", "WEBHOOKS_METRICS_PORT"), ""),
        **options.env,
    }
    stack = launcher.start_stack(
        StackConfig(
            name=options.name,
            env=env,
            database_url=given_database,
            fresh_database=given_database is not None,
            redis_url=os.environ.get("REDIS_URL") or None,
            keys=DevKeys.generate(),
            log_dir=options.log_dir,
            console=Console(stream=log),
            announce=lambda text: print(text, flush=True),
        )
    )
    cleanup.callback(stack.stop)
    return stack
