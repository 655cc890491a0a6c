"""Stand-in children: tiny real programs, so the supervisor is tested without the services."""

from pathlib import Path

import pytest

from devstack.network import free_port

STANDINS = {
    "tiny_http_server": """
import http.server, os, signal, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("listening on", os.environ["PORT"])
server.serve_forever()
""",
    "ignores_sigterm": """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring SIGTERM")
while True:
    time.sleep(1)
""",
    "crashes": """
import sys
print("cannot start: no configuration")
sys.exit(3)
""",
    "spawns_child": """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
print("child", child.pid)
while True:
    time.sleep(1)
""",
}


@pytest.fixture
def standin_env(tmp_path: Path) -> dict[str, str]:
    """Environment under which `python -m <stand-in>` finds the modules above."""
    for name, source in STANDINS.items():
        (tmp_path / f"{name}.py").write_text(source)
    return {"PYTHONPATH": str(tmp_path), "PORT": str(free_port())}
