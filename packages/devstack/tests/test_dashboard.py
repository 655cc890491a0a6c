import hashlib
import os
from pathlib import Path

from devstack.dashboard import dashboard_env, needs_build, needs_install


def _frontend(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "page.tsx").write_text("export default 1")
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3}')
    return tmp_path


def test_install_is_needed_without_node_modules_or_after_the_lock_changes(tmp_path: Path) -> None:
    frontend = _frontend(tmp_path)
    assert needs_install(frontend)

    (frontend / "node_modules").mkdir()
    digest = hashlib.sha256((frontend / "package-lock.json").read_bytes()).hexdigest()
    (frontend / "node_modules" / ".devstack-lock-sha256").write_text(digest + "\n")
    assert not needs_install(frontend)

    (frontend / "package-lock.json").write_text('{"lockfileVersion": 3, "changed": true}')
    assert needs_install(frontend)


def test_build_is_needed_when_missing_or_older_than_a_source(tmp_path: Path) -> None:
    frontend = _frontend(tmp_path)
    assert needs_build(frontend)

    (frontend / ".next").mkdir()
    build_id = frontend / ".next" / "BUILD_ID"
    build_id.write_text("x")
    os.utime(frontend / "app" / "page.tsx", (1_000, 1_000))
    os.utime(frontend / "package-lock.json", (1_000, 1_000))
    os.utime(build_id, (2_000, 2_000))
    assert not needs_build(frontend)

    os.utime(frontend / "app" / "page.tsx", (3_000, 3_000))
    assert needs_build(frontend)


def test_the_dashboard_finds_the_services_on_their_ports() -> None:
    env = {"CALL_SERVICE_PORT": "8100", "REALTIME_PORT": "8101", "DASHBOARD_PORT": "3100"}
    assert dashboard_env(env) == {
        "CALL_SERVICE_URL": "http://127.0.0.1:8100",
        "REALTIME_URL": "http://127.0.0.1:8101",
        "DASHBOARD_PORT": "3100",
        "NEXT_TELEMETRY_DISABLED": "1",
        "NEXT_IGNORE_INCORRECT_LOCKFILE": "1",
    }
