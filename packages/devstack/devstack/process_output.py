"""Where a child process's output goes, and its last lines for messages and assertions.

Either forwarded line by line to a `Console` by a reader thread (the lines also kept in
memory), or appended by the child itself to a file (no reader thread in this process: a
benchmark's load generator does not pay for the services' logging), its last lines then
read back from the file.
"""

import collections
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from devstack.console import Console

KEPT_LINES = 200


class ProcessOutput:
    """The output of the process `name`, over all its starts (a restart appends)."""

    def __init__(self, name: str, console: Console, file: Path | None = None) -> None:
        self.name = name
        self.file = file
        self._console = console
        self._recent: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self._reader: threading.Thread | None = None

    @contextmanager
    def child_stdout(self) -> Iterator[IO[bytes] | int]:
        """What to spawn the child with as its stdout: the file, open while the child is
        spawned, or a pipe to `follow`."""
        if self.file is None:
            yield subprocess.PIPE
        else:
            with self.file.open("ab") as output:
                yield output

    def follow(self, pipe: IO[bytes] | None) -> None:
        """Forward the child's pipe to the console in a thread (None: it writes the file)."""
        if pipe is None:
            return
        self._reader = threading.Thread(
            target=self._forward, args=(pipe,), name=f"output-{self.name}", daemon=True
        )
        self._reader.start()

    def join(self) -> None:
        """Wait for the reader to pass on what the ended child printed last."""
        # A grandchild that escaped the group could hold the pipe open: do not hang on it.
        if self._reader is not None:
            self._reader.join(timeout=2.0)

    def recent(self) -> list[str]:
        """The last lines the process printed."""
        if self.file is not None:
            return _tail_lines(self.file, KEPT_LINES)
        return list(self._recent)

    def tail(self, lines: int = 15) -> str:
        """The last `lines` lines, worded to end an error message ("" when there are none)."""
        tail = self.recent()[-lines:]
        return "; last output:\n  " + "\n  ".join(tail) if tail else ""

    def _forward(self, stream: IO[bytes]) -> None:
        for raw in stream:
            text = raw.decode(errors="replace").rstrip("\r\n")
            self._recent.append(text)
            self._console.line(self.name, text)
        stream.close()


def _tail_lines(path: Path, lines: int, chunk: int = 64 * 1024) -> list[str]:
    """The last `lines` lines of a log file (at most its last `chunk` bytes)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - chunk))
            text = handle.read().decode(errors="replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]
