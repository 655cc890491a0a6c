"""`make bench` in smoke mode: every part runs and reports every figure as a number.

The targets are not asserted (the figures of a few-second run on a shared machine say
little); correctness is: nothing lost or duplicated end to end, no fan-out delivery missing.
The bench starts its own embedded PostgreSQL and valkey, as on a fresh machine (the raw
limit's 64 pgbench connections would crowd a shared server's max_connections).
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MUST_BE_ZERO = ("_lost", "_duplicated", "fanout_missing")


@pytest.mark.timeout(240)
def test_smoke_run_reports_every_figure(tmp_path: Path) -> None:
    results_file = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"),
            *("--json", str(results_file), "--logs", str(tmp_path / "logs")),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    output = done.stdout[-4000:] + done.stderr[-4000:]
    assert done.returncode == 0, output

    results = json.loads(results_file.read_text())
    for name, part in results["parts"].items():
        assert "error" not in part, (name, part["error"], output)
        assert "skipped" not in part, (name, part["skipped"])
    rows = results["figures"]
    assert {r["part"] for r in rows} == {"raw", "ingest", "batch", "e2e", "drain", "fanout", "idle"}
    for row in rows:
        if row["result"] == "n/a":  # the NOTIFY-trigger variant, once the schema has none
            continue
        value = row["value"]
        assert isinstance(value, int | float), row
        assert math.isfinite(value), row
        if row["key"].endswith(MUST_BE_ZERO):
            assert value == 0, row
        if row["ratio_to"] is not None:
            assert row["ratio_to_raw"] is not None, row
    printed = done.stdout
    for label in ("raw", "ingest", "batch", "e2e", "drain", "fanout", "idle"):
        assert f"\n{label} " in printed, f"no {label} row in the printed table:\n{printed}"
