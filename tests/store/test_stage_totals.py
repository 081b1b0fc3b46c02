"""The stage totals behind the board's header counts: kept by triggers on every write of a
lead, counted again after every write made with the triggers suspended, and shown as the
count of the leads would show them."""

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.old_databases import first_schema_database
from tests.stage_totals import assert_totals_exact
from workbench.rules.stages import Stage
from workbench.services import duplicates, erasure, scoring
from workbench.store import db, score_staging
from workbench.store.derived import STAGE_TOTALS_TRIGGERS
from workbench.store.leads import BoardFilter, ColumnSummary, Store
from workbench.store.score_staging import ScoreWriter

NOW = datetime(2026, 11, 23, 12)  # the suite's clock (tests/conftest.py)
COUNTED = BoardFilter(min_score=-10**9)  # every lead, but counted by a GROUP BY


def write_scores(store: Store, rows) -> None:
    with db.write_connection(store.engine) as conn:
        ScoreWriter(conn.connection.driver_connection).write(rows)


def ids(store: Store, sql: str, *params) -> list[int]:
    with closing(sqlite3.connect(store.path)) as conn:
        return [i for (i,) in conn.execute(sql, params)]


def then_the_triggers_count(store: Store) -> None:
    """The totals are exact, and the writes that follow are counted: the triggers are back."""
    assert_totals_exact(store)
    lead = store.add_lead(first_name="Nia", last_name="After", stage=Stage.MQL)
    store.move_lead(lead, Stage.SAL)
    [other] = ids(store, "SELECT id FROM leads WHERE stage = 'lead' ORDER BY id LIMIT 1")
    store.move_lead(other, Stage.MQL)
    write_scores(store, [(1, 2, 3, "B2", None, lead)])
    assert_totals_exact(store)


@pytest.fixture
def demo(db_copy):
    with Store.open(db_copy) as store:
        yield store


def test_a_new_demo_has_its_totals(demo_db):
    assert_totals_exact(demo_db)
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute("SELECT sum(leads) FROM stage_totals").fetchone()[0] == 2000


def test_an_older_database_is_counted_when_it_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    first_schema_database(path)
    with Store.open(path) as store:
        assert_totals_exact(store)
        assert store.column_summaries(BoardFilter())[Stage.MQL] == ColumnSummary(1, 42.0)


def test_the_headers_show_what_counting_the_leads_shows(demo):
    shown = demo.column_summaries(BoardFilter())
    assert shown == demo.column_summaries(COUNTED)
    assert all(summary.count for summary in shown.values())
    for lead in ids(demo, "SELECT id FROM leads WHERE stage = 'customer'"):
        demo.move_lead(lead, Stage.EVANGELIST)
    shown = demo.column_summaries(BoardFilter())
    assert shown[Stage.CUSTOMER] == ColumnSummary(0, None)  # an emptied stage, as a count shows it
    assert shown == demo.column_summaries(COUNTED)


def test_each_write_of_a_lead_is_counted(demo):
    lead = demo.add_lead(first_name="Ola", last_name="New", stage=Stage.MQL,
                         at=NOW - timedelta(hours=1))
    assert_totals_exact(demo)
    demo.move_lead(lead, Stage.SAL)
    assert_totals_exact(demo)
    write_scores(demo, [(10, 5, 15, "B2", None, lead)])
    assert_totals_exact(demo)
    other = ids(demo, "SELECT id FROM leads WHERE stage = 'disqualified' LIMIT 1")[0]
    duplicates.merge(demo, lead, other)  # the other lead is deleted
    assert_totals_exact(demo)
    erasure.erase(demo, lead)
    assert_totals_exact(demo)
    mqls = ids(demo, "SELECT id FROM leads WHERE stage = 'mql' ORDER BY id LIMIT 5")
    demo.move_many(mqls, Stage.RECYCLED, by=None, reason_code="not_ready", note=None,
                   revisit_on=NOW.date(), at=NOW)
    assert_totals_exact(demo)
    assert demo.return_due_recycled(NOW.date(), NOW)  # back to MQL
    assert_totals_exact(demo)
    before = demo.lead(mqls[0])
    demo.undo_move(demo.move_lead(mqls[0], Stage.SAL).id, before)
    assert_totals_exact(demo)


def test_an_import_is_counted(demo):
    known = ids(demo, "SELECT id FROM leads WHERE stage = 'lead' AND email IS NOT NULL "
                      "ORDER BY id LIMIT 3")
    emails = ids(demo, f"SELECT email FROM leads WHERE id IN ({','.join('?' * 3)})", *known)
    rows = [{"row": 2 + i, "first_name": f"Imp{i}", "last_name": "Orted",
             "email": f"imp{i}@example.org", "stage": "mql"} for i in range(20)]
    rows += [{"row": 30 + i, "email": email, "stage": "sql"} for i, email in enumerate(emails)]
    counts = demo.import_leads(rows, note="test", at=NOW)
    assert (counts.imported, counts.updated) == (20, 3)
    then_the_triggers_count(demo)


def test_routing_is_counted(demo):
    rep = demo.add_user("Jo Berg", "jo@sales.example")
    pool = ids(demo, "SELECT id FROM leads WHERE stage = 'mql' AND owner_id IS NULL LIMIT 30")
    assert pool
    demo.write_routes([(lead, rep, "Routed to Jo.") for lead in pool], NOW)
    then_the_triggers_count(demo)


@pytest.fixture
def in_short_transactions(monkeypatch):
    monkeypatch.setattr(score_staging, "STORE_BATCH", 100)  # a rescore of many batches
    monkeypatch.setattr(score_staging, "sleep", lambda _seconds: None)


def test_a_full_rescore_is_counted_in_each_of_its_transactions(demo, in_short_transactions):
    report = scoring.rescore(demo, demo.current_criteria(), as_of=NOW + timedelta(days=60))
    assert report.changed > 300 and report.promoted == 0  # decay: nothing new reaches it
    lower = scoring.rescore(demo, replace(demo.current_criteria(), mql_threshold=20),
                            as_of=NOW + timedelta(days=60))
    assert lower.promoted > 0
    then_the_triggers_count(demo)


def test_a_full_rescore_cut_short_leaves_the_totals_exact(demo, in_short_transactions,
                                                          monkeypatch):
    def cut_short(_seconds):
        raise KeyError

    monkeypatch.setattr(score_staging, "sleep", cut_short)
    with pytest.raises(KeyError):
        scoring.rescore(demo, demo.current_criteria(), as_of=NOW + timedelta(days=60))
    assert demo.column_summaries(BoardFilter()) == demo.column_summaries(COUNTED)
    then_the_triggers_count(demo)


def test_the_triggers_suspended_are_the_ones_the_migration_made(store):
    with closing(sqlite3.connect(store.path)) as conn:
        made = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                            "AND sql LIKE '%stage_totals%' ORDER BY name").fetchall()
    assert [name for (name,) in made] == sorted(STAGE_TOTALS_TRIGGERS)
