"""Files the workbench writes for the user (exports, mappings, criteria, lists of problems,
pictures): never over the database, and never left half written.

A file is written under a temporary name in its own folder and renamed over the target only
once complete and on disk, so a crash or a full disk leaves the old file (or none), never a
truncated one. The target's links are followed first: the rename replaces the file a link
points to, not the link.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.rules.refusals import Refused

# SQLite keeps a database in its file and, while it is in use, these files beside it
DATABASE_FILES = ("", "-wal", "-shm", "-journal")


class UnsafeTarget(Refused):
    """A file the workbench refuses to write: the database or one of its files."""


def check_target(target: Path, database: Path | None) -> Path:
    """The file the target names (links followed); UnsafeTarget when it is the database,
    a link to it (symbolic or hard) or one of its -wal, -shm or -journal files."""
    real = Path(os.path.realpath(target))
    if database is None:
        return real
    base = os.path.realpath(database)
    for suffix in DATABASE_FILES:
        guarded = Path(base + suffix)
        if real == guarded or (real.exists() and guarded.exists()
                               and os.path.samefile(real, guarded)):
            what = f"the {suffix[1:]} file of the database" if suffix else "the database"
            raise UnsafeTarget(f"{target} is {what} {database}: choose another file. "
                               "Nothing was written.")
    return real


@contextmanager
def replacing(target: Path, database: Path | None) -> Iterator[Path]:
    """A temporary path beside the target, to write the whole file to; when the block ends
    without an error it becomes the target, else it is removed and the target is as it
    was. The temporary name keeps the target's suffix (some writers choose the format by
    it)."""
    real = check_target(target, database)
    temporary = real.with_name(f".{real.stem}.{secrets.token_hex(4)}.partial{real.suffix}")
    # created here, exclusively, with the permissions a new file gets (umask applies)
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())  # on disk before it replaces anything
        os.replace(temporary, real)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(target: Path, text: str, database: Path | None) -> None:
    with replacing(target, database) as temporary:
        temporary.write_text(text, encoding="utf-8")
