"""Databases made by an older workbench, for the tests of upgrading them."""

from pathlib import Path

from workbench.store import db


def first_schema_database(path: Path) -> None:
    """A database at the first schema (every later migration runs on it) with one MQL,
    Ada Byron, score 42."""
    engine = db.create_sqlite_engine(path)
    db.migrate(engine, "20261123_0001")
    with db.write_connection(engine) as conn:
        conn.exec_driver_sql(
            "INSERT INTO leads (first_name, last_name, stage, fit_score, engagement_score, "
            "score, created_at, updated_at, stage_entered_at) VALUES ('Ada', 'Byron', 'mql', "
            "0, 0, 42, '2026-01-05 10:00:00.000000', '2026-01-05 10:00:00.000000', "
            "'2026-01-05 10:00:00.000000')")
    engine.dispose()
