"""Several api processes on one port (SO_REUSEPORT): one Python process uses one core.

`python -m call_service.api` with API_WORKERS=N (default 1) becomes a small
supervisor: it starts N copies of itself as workers that each bind the same
port with SO_REUSEPORT (the kernel spreads connections across them), forwards
SIGINT/SIGTERM to them, restarts a worker that dies unexpectedly (after a
short pause, so a worker that cannot start does not spin), and removes the
workers' shared Prometheus directory when it stops. Workers die with the
supervisor (PR_SET_PDEATHSIG), even when it is SIGKILLed.

Metrics: every worker writes its counters to PROMETHEUS_MULTIPROC_DIR and any
worker's /metrics sums them (prometheus_client's multiprocess mode).
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from types import FrameType

import structlog

WORKER_ENV = "CALL_SERVICE_API_WORKER"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RESTART_PAUSE_S = 1.0
_PR_SET_PDEATHSIG = 1

_log = structlog.get_logger("api")


def is_worker() -> bool:
    return os.environ.get(WORKER_ENV) == "1"


def supervise(count: int) -> int:
    """Run `count` workers until SIGINT/SIGTERM; the exit code for `sys.exit`."""
    metrics_dir = tempfile.mkdtemp(prefix="api-metrics-")
    env = {**os.environ, WORKER_ENV: "1", MULTIPROC_ENV: metrics_dir}
    workers: dict[int, subprocess.Popen[bytes]] = {}
    stopping = False

    def start(slot: int) -> None:
        workers[slot] = subprocess.Popen(
            [sys.executable, "-m", "call_service.api"], env=env, preexec_fn=_die_with_parent
        )

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    _log.info("api_workers_starting", workers=count)
    for slot in range(count):
        start(slot)
    try:
        while True:
            running = {slot: p for slot, p in workers.items() if p.poll() is None}
            if stopping and not running:
                return 0
            for slot, process in workers.items():
                if process.returncode is not None and not stopping:
                    _log.error("api_worker_exited", pid=process.pid, code=process.returncode)
                    time.sleep(RESTART_PAUSE_S)
                    if not stopping:
                        start(slot)
                    break
            time.sleep(0.2)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor goes away."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
