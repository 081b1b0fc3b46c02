"""Opening a workbench database: file checks, pragmas, backup and migrate-on-open.

A workbench SQLite file carries PRAGMA application_id = APPLICATION_ID, so a
file of another program is recognised and never touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from workbench.rules.refusals import Refused

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration (a test keeps it equal to Alembic's head): a database already at it
# opens without loading Alembic at all, which saves a sixth of a second at every start.
SCHEMA_REVISION = "20261207_0024"
APPLICATION_ID = 0x4C574231  # "LWB1"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """A database the workbench cannot open; the message says why and what to do."""


class NotAWorkbenchDatabase(DatabaseError):
    pass


class SchemaTooNew(DatabaseError):
    pass


class DatabaseFault(Refused):
    """A write the database file or its disk turned down (another program holding the
    write lock, a full disk, a read-only file...): a refusal like any other, so the window
    and the CLI say it in one line where they say refusals; the transaction rolled back,
    so nothing stored was lost and the action can be tried again."""


DURABLE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # FULL: every commit is synced to disk, so a triage action that was
    # confirmed on screen survives a crash or a power cut, not only a killed app.
    "PRAGMA synchronous = FULL",
)
# For a scratch file that is thrown away unless it is complete (a demo being built):
# no journal on disk and no syncs, pages written once; a cache for index builds whose
# sorts spill to temporary files beyond it, so memory stays flat at a million leads.
SCRATCH_PRAGMAS = (
    "PRAGMA journal_mode = MEMORY",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -131072",
)


def _pragmas(durable: bool):
    def set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's begin hook emit BEGIN itself, so reads and writes of one
        # unit of work share one transaction (pysqlite's own handling does not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # a database already in WAL is not switched again: that waits for a writer's lock,
        # and reading (stats, lead show) should not wait for anyone in WAL
        in_wal = cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for pragma in DURABLE_PRAGMAS if durable else SCRATCH_PRAGMAS:
            if not (in_wal and pragma == DURABLE_PRAGMAS[0]):
                cursor.execute(pragma)
        cursor.close()

    return set_pragmas


def _begin(conn: Connection) -> None:
    # Writers take the write lock up front; a deferred transaction that later
    # writes could fail with SQLITE_BUSY when another process wrote meanwhile.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def sql_time(moment: datetime) -> str:
    """A time as SQLAlchemy stores it on SQLite, for statements written by hand."""
    return moment.isoformat(" ", "microseconds")  # "%Y-%m-%d %H:%M:%S.%f", several times faster


def read_time(text: str | None) -> datetime | None:
    """A time as SQLAlchemy reads it from SQLite, for rows read by hand."""
    return datetime.fromisoformat(text) if text else None


def read_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def create_sqlite_engine(path: Path, *, durable: bool = True) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _pragmas(durable))
    event.listen(engine, "begin", _begin)
    return engine


def is_read_only(path: Path) -> bool:
    """Whether this process cannot write the database (a read-only file, folder or medium:
    SQLite also writes files beside it)."""
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only_uri(path: Path) -> str:
    """An SQLite URI that opens a database for reading only. A WAL database whose shared
    memory file (-shm) does not exist and cannot be created (a read-only folder or medium)
    is read as immutable: nobody can be writing it there."""
    immutable = not Path(f"{path}-shm").exists() and not os.access(path.parent, os.W_OK)
    return f"{path.resolve().as_uri()}?{'immutable=1' if immutable else 'mode=ro'}"


def _create_read_only_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{read_only_uri(path)}&uri=true")
    event.listen(engine, "connect", _read_only_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def _read_only_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # as _pragmas: SQLAlchemy emits BEGIN
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    return _script().get_current_head()


def _known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def inspect_file(path: Path) -> str | None:
    """Return the schema revision of a workbench file, None for a new or empty one.

    Raise NotAWorkbenchDatabase or SchemaTooNew without writing anything.
    """
    if path.is_dir():
        raise NotAWorkbenchDatabase(f"{path} is a folder, not a workbench database.")
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAWorkbenchDatabase(
            f"{path} is not a workbench database (it is not an SQLite file). "
            "Choose another file; this one was left untouched."
        )
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id == 0 and not tables:
                return None
            if app_id != APPLICATION_ID or "alembic_version" not in tables:
                raise NotAWorkbenchDatabase(
                    f"{path} is an SQLite database of another program, not a workbench "
                    "database. Choose another file; this one was left untouched."
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        problem = problem_of(error, path)
        if problem is None:
            raise
        raise DatabaseError(problem) from None
    if row is None:  # a workbench database always records its schema revision
        raise DatabaseError(f"{path} is damaged: it does not say which version of the "
                            "workbench wrote it (its alembic_version table is empty). Restore "
                            "a backup; the file was left untouched.")
    revision = row[0]
    if revision not in (None, SCHEMA_REVISION) and revision not in _known_revisions():
        raise SchemaTooNew(
            f"{path} was written by a newer version of the workbench (schema {revision}). "
            "Update the workbench to open it; the file was left untouched."
        )
    return revision


def backup_path(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix or '.db'}")


def backup(path: Path, target: Path) -> Path:
    """Copy a live database consistently (WAL content included) with SQLite's backup API."""
    with (
        closing(sqlite3.connect(read_only_uri(path), uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    return target


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema in one transaction: a failed migration leaves the file as it was."""
    from alembic import command

    with write_connection(engine) as conn:
        command.upgrade(_alembic_config(conn), revision)
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def open_database(path: Path, *, durable: bool = True) -> tuple[Engine, Path | None]:
    """Open (creating or upgrading as needed) the workbench database at path.

    Returns the engine and the backup written before an upgrade, if any.
    durable=False is only for scratch files that are discarded unless complete.
    """
    path = Path(path)
    revision = inspect_file(path)
    head = SCHEMA_REVISION if revision == SCHEMA_REVISION else head_revision()
    if revision == head and is_read_only(path):
        return _create_read_only_engine(path), None
    if revision is not None and is_read_only(path):
        raise DatabaseError(f"{path} is read-only and was written by an older version of "
                            "the workbench: copy it to a folder you can write to, then open "
                            "the copy (it is upgraded there).")
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
    written_backup = None
    if revision is not None and revision != head:
        written_backup = backup(path, backup_path(path, revision))
    engine = create_sqlite_engine(path, durable=durable)
    if revision != head:
        migrate(engine)
    return engine, written_backup


@contextmanager
def read_connection(engine: Engine) -> Iterator[sqlite3.Connection]:
    """One read transaction on SQLite's own connection, for statements written by hand:
    a consistent snapshot across them, without SQLAlchemy's statement building (10-20
    times SQLite's own time on the reads every triage action makes)."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("BEGIN")
        try:
            yield raw
        finally:
            raw.rollback()  # it wrote nothing


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding SQLite's write lock from its start. A fault of the
    file (see problem_of) is raised as a DatabaseFault."""
    with _faults_refused(database_path(engine)), \
            engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, \
            conn.begin():
        yield conn


@contextmanager
def raw_write(raw: sqlite3.Connection, path: Path) -> Iterator[None]:
    """One write transaction on SQLite's own connection (in autocommit mode, as _pragmas
    sets it), holding the write lock from its start; faults as in write_connection."""
    with _faults_refused(path):
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if raw.in_transaction:  # (some faults end the transaction themselves)
                raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")


@contextmanager
def _faults_refused(path: Path) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error) as error:
        problem = problem_of(error, path)
        if problem is None:
            raise
        raise DatabaseFault(problem) from error


def database_path(engine: Engine) -> Path:
    """The file an engine opened, as it was named (a read-only engine names it by URI)."""
    name = engine.url.database or ""
    return Path(unquote(urlsplit(name).path) if name.startswith("file:") else name)


# SQLite's primary result codes that a user can act on, and what to tell them
_BUSY, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 8, 10, 11, 13, 14, 26


def problem_of(error: BaseException, path: Path) -> str | None:
    """One line for a fault of the database file or its disk (locked, full, read-only,
    damaged, unreadable), None for any other error: a bug keeps its traceback."""
    cause = getattr(error, "orig", None) or error  # SQLAlchemy wraps sqlite3's errors
    code = getattr(cause, "sqlite_errorcode", None)
    if not isinstance(cause, sqlite3.Error) or code is None:
        return None
    code &= 0xFF  # the extended code's primary part
    if code == _BUSY:
        return (f"{path} is busy: another program has been writing to it for over "
                f"{BUSY_TIMEOUT_MS // 1000} s. Try again when it is done; nothing was changed.")
    if code in (_FULL, _IOERR) and _disk_is_full(path):
        return (f"The disk holding {path} is full. Free some space and try again; nothing "
                "was changed.")
    if code == _READONLY:
        return (f"{path} is read-only: it can be read but not changed. Nothing was "
                "changed.")
    if code in (_CORRUPT, _NOTADB):
        return (f"{path} is damaged ({cause}). Restore a backup; the file was left "
                "untouched.")
    if code in (_IOERR, _CANTOPEN, _FULL):
        return f"{path} cannot be read or written ({cause}). Nothing was changed."
    return None


def _disk_is_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.resolve().parent).free < 1024 * 1024
    except OSError:
        return False
