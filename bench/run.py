"""`make bench`: the platform's throughput, latency and footprint figures in one run.

    make bench                                  # 10 s per part, a stack of its own
    make bench BENCH_SECONDS=30 BENCH_ARGS="--only ingest,e2e"
    .venv/bin/python bench/run.py --smoke       # a few seconds per part (the test runs this)
    .venv/bin/python bench/run.py --api-url http://127.0.0.1:8000 \\
        --realtime-url http://127.0.0.1:8001 --database-url postgresql://…   # a running system

Starts what `make run` starts (embedded PostgreSQL and valkey unless DATABASE_URL /
REDIS_URL are set, then a fresh database and channel of its own), with the rate limit off;
any other variable of the environment (API_WORKERS, LOG_LEVEL, …) reaches the processes, and
`--env NAME=VALUE` sets more. Then, in order: the raw limit (pgbench), single-event ingest
(distinct and hot calls), batch ingest, end to end at 500 and 2,000 events/s, drain, fan-out
and idle sockets (docs/performance.md says how each is measured). Prints one table — each
figure, its ratio to the raw limit, its target, pass/FAIL — and writes the JSON
(bench/results/latest.json or --json), the processes' logs in bench/results/bench-<time>/.

Exit status: 0 when every part ran (targets missed or not: this is a measurement), 1 when a
part failed or, with --check, when a target was missed; 130 when interrupted.
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import drain
import end_to_end
import fanout
import idle_sockets
import ingest_load
import pgbench_limit
import report
from context import (
    Sizes,
    Skipped,
    System,
    full_sizes,
    jsonable_sizes,
    smoke_sizes,
    wait_outbox_empty,
)
from cpu_meter import CpuMeter
from eio_client import LeanSocket, new_session
from stack import STACK_FAILURES, StackOptions, dev_keys, environment_knobs, start_stack

from devstack.console import Console
from devstack.launcher import SERVICES

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
Part = Callable[[System, Sizes], Awaitable[dict[str, Any]]]
PARTS: dict[str, Part] = {
    "raw": pgbench_limit.run,
    "ingest": ingest_load.run_single,
    "batch": ingest_load.run_batch,
    "e2e": end_to_end.run,
    "drain": drain.run,
    "fanout": fanout.run,
    "idle": idle_sockets.run,
}
# The bench measures capacity: the per-key token bucket (500/s by default) would cap it.
BENCH_ENV = {"RATE_LIMIT_PER_S": "0"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_SECONDS") or 10),
        help="measured seconds per part (default BENCH_SECONDS or 10)",
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds per part, small sizes")
    parser.add_argument("--only", default="", help=f"comma-separated parts: {','.join(PARTS)}")
    parser.add_argument("--json", type=Path, default=None, help="results file (default latest)")
    parser.add_argument("--logs", type=Path, default=None, help="processes' logs (default dated)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the processes"
    )
    parser.add_argument("--api-url", help="measure a running system: its call service")
    parser.add_argument(
        "--realtime-url", action="append", default=[], help="its realtime process(es)"
    )
    parser.add_argument("--database-url", help="its database (for the raw limit)")
    parser.add_argument("--producer-key", help="events:write key (default .data/api_keys.json)")
    parser.add_argument("--supervisor-key", help="calls:read key (default .data/api_keys.json)")
    args = parser.parse_args(argv)
    unknown = {p for p in args.only.split(",") if p} - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; known: {', '.join(PARTS)}")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]")
    if args.api_url and not args.realtime_url:
        parser.error("--api-url needs --realtime-url")
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    return args


def raise_open_files_limit() -> int:
    """10,000 sockets need as many descriptors in the realtime process (and the holders)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _external_keys(args: argparse.Namespace) -> tuple[str, str]:
    if args.producer_key and args.supervisor_key:
        return args.producer_key, args.supervisor_key
    path = ROOT / ".data" / "api_keys.json"
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(
            f"bench: give --producer-key and --supervisor-key ({path}: {exc})"
        ) from exc
    return args.producer_key or stored["producer"], args.supervisor_key or stored["supervisor"]


async def check_pipeline(system: System) -> None:
    """One event posted and seen on a socket before anything is measured."""
    socket = LeanSocket(system.realtime_urls[0], system.supervisor_key, ["calls"])
    call_id = f"{system.prefix}-warmup"
    body = (
        f'{{"event_id":"{call_id}-1","type":"call_initiated","call_id":"{call_id}",'
        '"data":{"media":"voice","queue_id":"medical_spanish"}}'
    ).encode()
    headers = {"Content-Type": "application/json", "X-API-Key": system.producer_key}
    async with new_session() as session:
        await socket.connect(session)
        try:
            async with session.post(
                f"{system.api_url}/api/events", data=body, headers=headers
            ) as response:
                if response.status != 201:
                    raise RuntimeError(f"warm-up post: {response.status} {await response.text()}")
            deadline = time.monotonic() + 30
            while f"{call_id}-1" not in socket.received:
                if time.monotonic() > deadline:
                    raise RuntimeError("warm-up event never reached the socket")
                await asyncio.sleep(0.05)
        finally:
            await socket.close()


async def run_parts(system: System, sizes: Sizes, names: list[str]) -> dict[str, dict[str, Any]]:
    await check_pipeline(system)
    parts: dict[str, dict[str, Any]] = {}
    for name in names:
        print(f"bench: {name} …", flush=True)
        # A backlog left by the part before would be measured by this one: say so.
        quiet = await wait_outbox_empty(system, within_s=300)
        began = time.monotonic()
        meter = CpuMeter(system)
        sampler = asyncio.create_task(meter.run())
        try:
            result = await PARTS[name](system, sizes)
        except Skipped as exc:
            result = {"skipped": str(exc)}
        except Exception as exc:  # noqa: BLE001 - one failed part must not hide the others
            system.console.block(f"bench: {name} failed:\n{traceback.format_exc()}")
            result = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            sampler.cancel()
        result["outbox_empty_at_start"] = quiet
        result["elapsed_s"] = round(time.monotonic() - began, 1)
        if "skipped" not in result:
            result["cpu_percent"] = meter.percent()
        parts[name] = result
        dead = []
        if system.stack is not None:  # the processes `make run` starts (parts stop their extras)
            core = [system.stack.processes[s.name] for s in SERVICES]
            dead = [p.name for p in core if not p.is_running()]
            if dead:
                result["error"] = f"process(es) died: {', '.join(dead)}; see their logs"
        state = result.get("skipped") or result.get("error") or "done"
        print(f"bench: {name} {state} ({result['elapsed_s']:.0f}s)", flush=True)
        if dead:
            break  # the parts after it would measure a broken system
    return parts


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = smoke_sizes() if args.smoke else full_sizes(args.seconds)
    names = [p for p in PARTS if not args.only or p in args.only.split(",")]
    open_files = raise_open_files_limit()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_dir: Path = args.logs or RESULTS_DIR / f"bench-{stamp}"
    log_dir.mkdir(parents=True, exist_ok=True)
    json_path: Path = args.json or RESULTS_DIR / "latest.json"
    signal.signal(signal.SIGTERM, _raise_interrupt)
    extra_env = dict(item.split("=", 1) for item in args.env)
    load_before = report.machine()["load_average"]
    parts: dict[str, dict[str, Any]] | None = None
    system_info: dict[str, Any] = {}
    code = 0
    with (log_dir / "bench.log").open("w") as log:
        console = Console(stream=log)
        try:
            with ExitStack() as cleanup:
                try:
                    prefix = f"b{secrets.token_hex(3)}"
                    if args.api_url:
                        producer, supervisor = _external_keys(args)
                        system = System(
                            args.api_url.rstrip("/"),
                            [u.rstrip("/") for u in args.realtime_url],
                            producer,
                            supervisor,
                            args.database_url,
                            None,
                            console,
                            prefix,
                        )
                        system_info = {"mode": "running system", "api_url": system.api_url}
                    else:
                        options = StackOptions("bench", {**BENCH_ENV, **extra_env}, log_dir)
                        stack = start_stack(cleanup, log, options)
                        system = System(
                            stack.api_url,
                            [stack.realtime_url],
                            dev_keys(stack).producer,
                            dev_keys(stack).supervisor,
                            stack.database_url,
                            stack,
                            console,
                            prefix,
                        )
                        system_info = {
                            "mode": "stack started by the bench",
                            "database": stack.database,
                            "redis": stack.redis,
                            "env": {**environment_knobs(), **BENCH_ENV, **extra_env},
                        }
                    parts = asyncio.run(run_parts(system, sizes, names))
                finally:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    print("bench: stopping", flush=True)
        except KeyboardInterrupt:
            print("bench: interrupted", flush=True)
            code = 130
        except STACK_FAILURES as exc:
            print(f"bench: {exc}", flush=True)
            code = 1
    if parts is None:
        print(f"bench: logs in {log_dir}")
        return code or 1
    rows = report.figures(sizes, parts)
    machine = report.machine()
    machine["load_average_before"] = load_before
    results = {
        "started_at": stamp,
        "smoke": args.smoke,
        "machine": machine,
        "system": system_info,
        "open_files_limit": open_files,
        "sizes": jsonable_sizes(sizes),
        "figures": rows,
        "parts": parts,
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(
        f"bench: {machine['cpus']} x {machine['cpu_model']}, {machine['memory_gb']} GB,"
        f" load average before {load_before[0]:.2f}; {system_info.get('mode')}"
    )
    print(report.table(sizes, parts, rows))
    print("CPU while each part ran (% of one core):")
    print("\n".join(report.cpu_lines(parts)))
    print(f"bench: results in {json_path}, logs in {log_dir}")
    failed_part = any("error" in p for p in parts.values())
    missed = any(r["result"] in ("FAIL", "missing") for r in rows)
    if code:
        return code
    return 1 if failed_part or (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
