"""The dashboard's security headers, on the built dashboard served as `make run` serves it
(`next start`, no browser needed): every page carries a Content-Security-Policy that forbids
framing (its acknowledge and redeliver buttons cannot be clickjacked), allows connections to
the services named at start-up and nothing else, and runs only the inline scripts Next
rendered with this response's nonce; the other headers are on every response.
"""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest

from devstack.managed_process import HealthTimeoutError, ManagedProcess, ProcessExitedError
from devstack.network import free_port

from .dashboard import FRONTEND, DashboardUnavailableError, dashboard_server, ensure_built

pytestmark = pytest.mark.timeout(900)  # may pay for `npm run build`

# Never contacted: the pages render their key form without calling the services.
CALL_SERVICE_URL = "https://calls.example.test:8443/call-service"
REALTIME_URL = "http://10.20.30.40:9001"
PAGES = ["/", "/alerts", "/queues", "/agents", "/ops", "/calls/some-call", "/no-such-page"]


@pytest.fixture(scope="module")
def dashboard_url() -> Iterator[str]:
    try:
        ensure_built()
    except DashboardUnavailableError as exc:
        pytest.fail(f"the dashboard cannot be built: {exc}", pytrace=False)
    port = free_port()
    server: ManagedProcess = dashboard_server(port, CALL_SERVICE_URL, REALTIME_URL)
    try:
        server.start()
        server.wait_healthy(60)
    except (ProcessExitedError, HealthTimeoutError) as exc:
        server.stop()
        pytest.fail(f"the dashboard does not start: {exc}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _get(url: str) -> tuple[int, Message, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:  # the 404 page is a page too
        return exc.code, exc.headers, exc.read().decode()


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} twice in {policy!r}"
        parsed[name] = values
    return parsed


def _assert_common_headers(headers: Message) -> None:
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("no-referrer", "strict-origin")
    policies = headers.get_all("Content-Security-Policy") or []
    assert policies, "no Content-Security-Policy"
    for policy in policies:
        assert _directives(policy).get("frame-ancestors") == ["'none'"], policy


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_policy_that_forbids_framing_and_foreign_scripts(
    dashboard_url: str, path: str
) -> None:
    status, headers, html = _get(dashboard_url + path)
    assert status == (404 if path == "/no-such-page" else 200)
    _assert_common_headers(headers)
    (policy,) = headers.get_all("Content-Security-Policy") or []
    directives = _directives(policy)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    # The services are the ones this server was started with (read at start-up, not build).
    assert directives["connect-src"] == [
        "'self'",
        "https://calls.example.test:8443",
        "http://10.20.30.40:9001",
        "ws://10.20.30.40:9001",
    ]
    (nonce,) = [s[len("'nonce-") : -1] for s in directives["script-src"] if s.startswith("'nonce-")]
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page renders no script"
    for script in scripts:
        assert f'nonce="{nonce}"' in script, f"{script} lacks this response's nonce"


def test_each_response_gets_a_fresh_nonce(dashboard_url: str) -> None:
    nonces = set()
    for _ in range(3):
        _, headers, _ = _get(dashboard_url + "/")
        nonces.update(re.findall(r"'nonce-([^']+)'", headers["Content-Security-Policy"]))
    assert len(nonces) == 3


def test_static_files_and_the_runtime_config_carry_the_headers_too(dashboard_url: str) -> None:
    chunk = next((FRONTEND / ".next" / "static" / "chunks").glob("*.js")).name
    for path in ["/runtime-config", f"/_next/static/chunks/{chunk}"]:
        status, headers, _ = _get(dashboard_url + path)
        assert status == 200, path
        _assert_common_headers(headers)
