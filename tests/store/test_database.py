"""Opening databases: pragmas, migrate-on-open with a backup, and files that are refused."""

import hashlib
import sqlite3
from contextlib import closing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.old_databases import first_schema_database
from workbench.rules.stages import Stage
from workbench.store import db
from workbench.store.leads import Store
from workbench.store.tables import Base, mapped_in_orm


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_marked_migrated_and_has_the_reason_catalogue(tmp_path):
    path = tmp_path / "new.db"
    with Store.open(path) as store:
        assert store.backup is None
        assert ("no_budget", "No budget") in store.reasons("reject")
        assert [code for code, _ in store.reasons("recycle")] == [
            "not_ready", "bad_timing", "no_budget", "wrong_contact"]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            db.head_revision()


def test_every_connection_is_safe_for_triage(store):
    with store.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL: a commit is on disk before it returns
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == db.BUSY_TIMEOUT_MS


def test_migration_chain_is_linear_and_matches_the_models(store):
    script = ScriptDirectory.from_config(db._alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == db.SCHEMA_REVISION
    revisions = list(script.walk_revisions())
    assert [r.down_revision for r in revisions][-1] is None
    for newer, older in zip(revisions, revisions[1:], strict=False):
        assert newer.down_revision == older.revision
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": mapped_in_orm})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrading_an_older_database_keeps_its_data_and_writes_a_backup(tmp_path):
    path = tmp_path / "old.db"
    first_schema_database(path)

    with Store.open(path) as store:
        assert store.backup is not None and store.backup.exists()
        assert store.backup.parent == path.parent
        lead = store.lead(1)
        assert (lead.name, lead.stage, lead.score) == ("Ada Byron", Stage.MQL, 42)
        assert store.reasons("reject")  # the second migration ran
    with closing(sqlite3.connect(store.backup)) as backup:
        assert backup.execute("SELECT first_name FROM leads").fetchall() == [("Ada",)]
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            "20261123_0001"

    with Store.open(path) as again:  # already current: no second backup
        assert again.backup is None


def test_a_text_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("name,email\nAda,ada@example.com\n")
    before = digest(path)
    with pytest.raises(db.NotAWorkbenchDatabase, match="not an SQLite file"):
        Store.open(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_another_programs_sqlite_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "browser-history.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE visits (url TEXT)")
        conn.execute("INSERT INTO visits VALUES ('https://example.com')")
        conn.commit()
    before = digest(path)
    with pytest.raises(db.NotAWorkbenchDatabase, match="another program"):
        Store.open(path)
    assert digest(path) == before


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "future.db"
    Store.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '20991231_0001'")
        conn.commit()
    before = digest(path)
    with pytest.raises(db.SchemaTooNew, match="newer version"):
        Store.open(path)
    assert digest(path) == before


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(db.NotAWorkbenchDatabase, match="folder"):
        Store.open(tmp_path)
