"""A tiny HTTP server through which a browser scenario stops and starts a service.

`POST /processes/<name>/stop` and `POST /processes/<name>/start` (start waits until the
process is healthy again); 200 `{"ok": true}` when done, 404 for an unknown process,
500 with the error otherwise.

Being another origin than the dashboard's on this machine, it also serves the framing
scenario's pages: `GET /frames?src=<url>&src=…`, a page framing each URL and then
`/framable`, a page without any header against framing (the control: frames do load).
"""

import contextlib
import html
import json
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from devstack.managed_process import ManagedProcess


@contextlib.contextmanager
def control_server(processes: Mapping[str, ManagedProcess]) -> Iterator[str]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "processes" or parts[2] not in ("stop", "start"):
                self._reply(404, {"ok": False, "error": f"no route {self.path}"})
                return
            process = processes.get(parts[1])
            if process is None:
                self._reply(404, {"ok": False, "error": f"no process {parts[1]!r}"})
                return
            try:
                with lock:
                    if parts[2] == "stop":
                        process.stop()
                    else:
                        process.start()
                        process.wait_healthy()
            except Exception as exc:
                self._reply(500, {"ok": False, "error": str(exc)})
                return
            self._reply(200, {"ok": True})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/framable":
                self._page("<title>framable</title><p id='framable'>framed</p>")
            elif url.path == "/frames":
                sources = [*parse_qs(url.query).get("src", []), "/framable"]
                self._page(
                    "<title>frames</title>"
                    + "".join(
                        f'<iframe src="{html.escape(src)}" width="400" height="300"></iframe>'
                        for src in sources
                    )
                )
            else:
                self._reply(404, {"ok": False, "error": f"no route {self.path}"})

        def _page(self, body: str) -> None:
            data = f"<!doctype html><html><body>{body}</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="browser-control", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
