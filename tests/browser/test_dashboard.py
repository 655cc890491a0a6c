"""End to end in a real browser: Debian's Chromium, driven by playwright-core, against
the dashboard (`npm run start`) and the real api, relay, timers and realtime processes.

Each test runs one Node scenario from `frontend/tests/browser/` and passes when it exits
0. The processes are started once for this module on a database of its own; scenarios
use their own call ids. Screenshots land in `test-artifacts/screenshots/`; with
`SAVE_DOC_SCREENSHOTS=1` the pages' screenshots are also copied to `docs/screenshots/`.
Without Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium) they fail with what to run;
`SKIP_BROWSER_TESTS=1` skips them instead.
"""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from devstack.launcher import DASHBOARD, Stack, start_stack
from devstack.managed_process import HealthTimeoutError, ProcessExitedError
from devstack.migrations import migrated_database
from devstack.network import free_port
from devstack.postgres_admin import run_blocking
from devstack.stack_for_tests import API_KEYS, PRODUCER, suite_config

from .control import control_server
from .dashboard import FRONTEND, REPO, DashboardUnavailableError, ensure_built

SUPERVISOR = "browser-supervisor"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCENARIOS = REPO / "frontend" / "tests" / "browser"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
SCENARIO_TIMEOUT_S = 90

pytestmark = pytest.mark.timeout(900)  # the first test pays for `npm run build`


@dataclass
class BrowserStack:
    stack: Stack
    """The suites' stack, serving the dashboard too."""
    dashboard_url: str
    control_url: str

    def scenario_env(self) -> dict[str, str]:
        env = {
            "DASHBOARD_URL": self.dashboard_url,
            "CALL_SERVICE_URL": self.stack.api_url,
            "REALTIME_URL": self.stack.realtime_url,
            "PRODUCER_KEY": PRODUCER,
            "SUPERVISOR_KEY": SUPERVISOR,
            "CONTROL_URL": self.control_url,
            "CHROMIUM_PATH": CHROMIUM,
            "SCREENSHOT_DIR": str(SCREENSHOTS),
        }
        if os.environ.get("SAVE_DOC_SCREENSHOTS") == "1":
            env["DOC_SCREENSHOT_DIR"] = str(REPO / "docs" / "screenshots")
        return env

    def logs(self) -> str:
        dashboard = self.stack.processes[DASHBOARD]
        parts = ["--- dashboard ---\n" + "\n".join(dashboard.recent_output()[-40:])]
        for name, process in self.stack.processes.items():
            if name != DASHBOARD:
                parts.append(f"--- {name} ---\n" + "\n".join(process.recent_output()[-20:]))
        return "\n".join(parts)


@pytest.fixture(scope="session")
def dashboard_build() -> None:
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        pytest.skip("SKIP_BROWSER_TESTS=1: the browser tests are skipped")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`make system-deps` does it as"
            " root: apt-get install chromium), set CHROMIUM_PATH to a Chromium binary, or skip"
            " the browser tests with SKIP_BROWSER_TESTS=1",
            pytrace=False,
        )
    try:
        ensure_built()
    except DashboardUnavailableError as exc:
        pytest.fail(f"the dashboard cannot be built: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def browser_database_url(pg_server_url: str) -> Iterator[str]:
    """A migrated database of this module's own, with queues whose rules fire fast."""
    with migrated_database(pg_server_url, "test_browser") as url:
        run_blocking(lambda: _insert_fast_queue(url))
        yield url


async def _insert_fast_queue(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        # SLA 1 s (an sla_breached arrives on its own), the other timers out of the way.
        await conn.execute(
            "INSERT INTO queues (id, name, sla_seconds, no_answer_seconds, max_hold_seconds,"
            " short_call_seconds) VALUES ('demo_fast', 'Demo (fast rules)', 1, 300, 300, 10)"
        )
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def browser_stack(
    dashboard_build: None, browser_database_url: str, redis_url: str
) -> Iterator[BrowserStack]:
    dashboard_port = free_port()
    origin = f"http://127.0.0.1:{dashboard_port}"
    extra_env = {
        "API_KEYS": f"{API_KEYS},{SUPERVISOR}:calls:read+alerts:ack",
        "CORS_ORIGINS": origin,
    }
    channel = f"test-browser-{uuid.uuid4().hex}"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # this run's screenshots only
    config = suite_config(
        browser_database_url,
        redis_url,
        channel,
        extra_env=extra_env,
        dashboard=FRONTEND,
        dashboard_port=dashboard_port,
    )
    try:
        stack = start_stack(config)
    except (ProcessExitedError, HealthTimeoutError) as exc:
        pytest.fail(f"the platform or the dashboard does not start: {exc}", pytrace=False)
    with stack, control_server(stack.processes) as control_url:
        yield BrowserStack(stack, origin, control_url)


def run_scenario(browser: BrowserStack, script: str) -> None:
    started = time.monotonic()
    try:
        result = subprocess.run(
            ["node", str(SCENARIOS / script)],
            cwd=REPO / "frontend",
            env={**os.environ, **browser.scenario_env()},
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = _text(exc.stdout) + _text(exc.stderr)
        pytest.fail(
            f"{browser.logs()}\n--- {script} ---\n{out}\n"
            f"{script} still running after {SCENARIO_TIMEOUT_S}s, its output just above",
            pytrace=False,
        )
    print(result.stdout, result.stderr, f"{script}: {time.monotonic() - started:.1f}s", sep="\n")
    if result.returncode != 0:
        pytest.fail(
            f"{browser.logs()}\n--- {script} ---\n{result.stdout}\n{result.stderr}\n"
            f"{script} failed (exit {result.returncode}), its output just above",
            pytrace=False,
        )


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""


def test_every_page_renders_and_is_screenshotted(browser_stack: BrowserStack) -> None:
    """First, on an almost empty database, so the pages' screenshots show only its calls."""
    run_scenario(browser_stack, "tour.mjs")


def test_posted_events_appear_and_change_rows_without_a_reload(
    browser_stack: BrowserStack,
) -> None:
    run_scenario(browser_stack, "live_calls.mjs")


def test_status_and_queue_filters_live_in_the_url(browser_stack: BrowserStack) -> None:
    run_scenario(browser_stack, "filters.mjs")


def test_a_call_timeline_grows_live(browser_stack: BrowserStack) -> None:
    run_scenario(browser_stack, "call_detail.mjs")


def test_an_alert_appears_live_and_is_acknowledged(browser_stack: BrowserStack) -> None:
    run_scenario(browser_stack, "alerts.mjs")


def test_a_key_is_asked_for_and_a_wrong_one_explained(browser_stack: BrowserStack) -> None:
    run_scenario(browser_stack, "access.mjs")


def test_no_other_page_can_frame_the_dashboard(browser_stack: BrowserStack) -> None:
    run_scenario(browser_stack, "framing.mjs")


def test_a_realtime_outage_shows_and_missed_changes_are_resynced(
    browser_stack: BrowserStack,
) -> None:
    run_scenario(browser_stack, "reconnect.mjs")


def test_the_table_stays_smooth_with_5000_calls_and_50_events_a_second(
    browser_stack: BrowserStack,
) -> None:
    """Last: it leaves 5,000 live calls behind. Prints the frame-gap and long-task
    figures; fails when a touched row misses its last event, or on real jank."""
    run_scenario(browser_stack, "crowd.mjs")
