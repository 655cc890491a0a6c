"""One output stream shared by several processes, written a whole line at a time."""

import sys
import threading
from typing import TextIO


class Console:
    """Prefixes each child's lines with its name so interleaved output stays readable."""

    def __init__(self, stream: TextIO | None = None, width: int = 8) -> None:
        self._stream = stream
        self.width = width
        self._lock = threading.Lock()

    def line(self, source: str, text: str) -> None:
        self._write(f"{source:<{self.width}} | {text}\n")

    def block(self, text: str) -> None:
        self._write(text if text.endswith("\n") else text + "\n")

    def _write(self, text: str) -> None:
        # sys.stdout is looked up per write so pytest's output capture sees the lines.
        stream = self._stream or sys.stdout
        with self._lock:
            stream.write(text)
            stream.flush()
