"""A whole copy of a database and its way back: everything it holds (leads, people and
owners, stage history, activities, BANT, criteria versions, models, the sync's state),
where an export keeps only the leads' current values."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from workbench.files.safe import check_target, replacing
from workbench.rules.refusals import BadInput, Refused
from workbench.store import db
from workbench.store.leads import Store


@dataclass(frozen=True, slots=True)
class Copied:
    path: Path
    leads: int
    people: int
    size: int  # bytes


def back_up(store: Store, target: Path) -> Copied:
    """Copy the open database to target, consistently while others write to it; an older
    backup at target is replaced, any other file is refused."""
    target = Path(target)
    check_target(target, store.path)
    if target.exists() and target.stat().st_size > 0:
        try:
            db.inspect_file(target)
        except db.DatabaseError:
            raise Refused(f"{target} exists and is not a workbench backup: choose another "
                          "file. Nothing was written.") from None
    with replacing(target, store.path) as temporary:
        db.backup(store.path, temporary)
        # a file on its own: read without a -wal and -shm file appearing beside it
        with closing(sqlite3.connect(temporary)) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")
    return Copied(target, store.count_leads(), len(store.people()), target.stat().st_size)


def restore(source: Path, target: Path) -> Copied:
    """A new database at target holding what the backup at source holds (brought up to this
    version's schema); never over an existing file."""
    source, target = Path(source), Path(target)
    if target.exists():
        raise Refused(f"{target} already exists: restore into a new database (a file name "
                      "not in use). Nothing was changed.")
    if not source.is_file():
        raise BadInput(f"There is no backup at {source}.")
    revision = db.inspect_file(source)  # another program's file, a newer one: refused
    if revision is None:
        raise BadInput(f"{source} is empty, not a workbench backup. Nothing was changed.")
    _check_whole(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target, source) as temporary:
        db.backup(source, temporary)
        if revision != db.head_revision():
            engine = db.create_sqlite_engine(temporary)
            try:
                db.migrate(engine)
            finally:
                engine.dispose()
        if target.exists():  # made meanwhile by someone else: theirs stays
            raise Refused(f"{target} was created while restoring; nothing was changed.")
    with Store.open(target) as restored:
        return Copied(target, restored.count_leads(), len(restored.people()),
                      target.stat().st_size)


def _check_whole(source: Path) -> None:
    try:
        with closing(sqlite3.connect(db.read_only_uri(source), uri=True)) as conn:
            found = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        found = str(error)
    if found != "ok":
        raise db.DatabaseError(f"{source} is damaged ({found}); it cannot be restored. "
                               "Nothing was changed.")
