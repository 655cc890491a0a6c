"""A set of processes run as one: all healthy, or all stopped.

Nothing is restarted automatically. In development a crash should be seen at once,
not hidden behind a restart loop, so the first unexpected exit ends the whole set.
"""

import time
from collections.abc import Sequence

from devstack.managed_process import ManagedProcess

_POLL_S = 0.2


class Supervisor:
    def __init__(self, processes: Sequence[ManagedProcess]) -> None:
        self.processes = tuple(processes)

    def start_all(self, timeout: float = 60.0) -> None:
        """Start every process, then wait (one shared deadline) until each is healthy."""
        for process in self.processes:
            process.start()
        deadline = time.monotonic() + timeout
        for process in self.processes:
            process.wait_healthy(max(deadline - time.monotonic(), 0.0))

    def exited(self) -> list[ManagedProcess]:
        return [p for p in self.processes if p.returncode is not None]

    def wait_for_exit(self) -> ManagedProcess:
        """Block until some process ends by itself and return it (signals still interrupt)."""
        while True:
            ended = self.exited()
            if ended:
                return ended[0]
            time.sleep(_POLL_S)

    def stop_all(self, timeout: float = 10.0) -> None:
        """SIGTERM to all at once, then SIGKILL whatever still runs after `timeout` seconds."""
        for process in reversed(self.processes):
            process.terminate()
        deadline = time.monotonic() + timeout
        for process in reversed(self.processes):
            process.stop(timeout=max(deadline - time.monotonic(), 0.1))
