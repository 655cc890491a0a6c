"""`python -m devstack run` (what `make run` starts) and `python -m devstack clean`."""

import argparse
import shutil
import sys
from pathlib import Path

from devstack.local_stack import POSTGRES_PORT, VALKEY_PORT, run
from devstack.postgres_server import EmbeddedPostgres
from devstack.valkey_server import EmbeddedValkey


def clean(data_dir: Path) -> int:
    """Stop embedded servers a killed run may have left, then delete their data."""
    if (data_dir / "postgres").exists():
        EmbeddedPostgres(data_dir / "postgres", POSTGRES_PORT).stop()
    EmbeddedValkey(VALKEY_PORT, data_dir / "valkey").stop_leftover()
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"devstack: removed {data_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(".data"), help="state of the embedded servers"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start every process of the platform; Ctrl-C stops them")
    commands.add_parser("clean", help="stop leftover embedded servers and delete the data dir")
    options = parser.parse_args(argv)
    if options.command == "run":
        return run(options.data_dir.absolute())
    return clean(options.data_dir.absolute())


if __name__ == "__main__":
    sys.exit(main())
