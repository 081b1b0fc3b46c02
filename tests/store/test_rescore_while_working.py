"""A rep works while the day's rescore runs: their writes go through at once, a lead they
change is scored from what they did, every score shown is the score explained, and a
rescore stopped part way leaves every score as of a known moment and is finished by the
next one."""

import threading

import pytest

from tests.conftest import SUITE_NOW
from tests.stage_totals import assert_totals_exact
from tests.store.conftest import MONTHS_AGO
from workbench.clock import day_start
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.services import scoring, todays_scores, triage
from workbench.store import db, score_staging
from workbench.store.leads import BoardFilter, Store


@pytest.fixture
def store(old_demo, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)  # a write that waits fails quickly
    path = tmp_path / "old.db"
    path.write_bytes(old_demo.read_bytes())
    with Store.open(path) as opened:
        yield opened


class Paused:
    """Runs the day's rescore on a thread of its own, paused at one point until resumed."""

    def __init__(self, store):
        self.store, self.reached, self.resume = store, threading.Event(), threading.Event()
        self.report, self.error = None, None

    def pause(self, *_args):
        if not self.reached.is_set():
            self.reached.set()
            assert self.resume.wait(10)

    def start(self, **kwargs):
        def run():
            try:
                self.report = todays_scores.bring_scores_up_to_date(self.store, **kwargs)
            except Exception as error:  # noqa: BLE001 - asserted by the test
                self.error = error

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.reached.wait(10)

    def finish(self):
        self.resume.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


def all_ids(store):
    with db.read_connection(store.engine) as raw:
        return [i for (i,) in raw.execute("SELECT id FROM leads ORDER BY id")]


def shown_is_explained(store, lead_ids):
    criteria = store.current_criteria()
    return all(store.lead(i).score == scoring.explain(store, criteria, i).total
               for i in lead_ids)


def as_a_rescore_now_would_store(store):
    """Every stored score is the one scoring what is stored now gives: nothing to change."""
    return scoring.rescore(store, store.current_criteria()).changed == 0


def first_mql(store):
    return store.board_page(Stage.MQL, BoardFilter())[0].id


def test_a_move_and_a_new_activity_during_the_scoring_go_through_and_count(store):
    rescore = Paused(store)
    rescore.start(progress=rescore.pause)  # leads scored, nothing stored yet
    mql = first_mql(store)
    triage.move_lead(store, mql, Stage.SAL)  # it waited for the whole rescore, then failed
    active = store.board_page(Stage.LEAD, BoardFilter())[0].id
    triage.record_activity(store, active, ActivityKind.DEMO_REQUEST, at=SUITE_NOW)
    rescore.finish()
    assert rescore.error is None and rescore.report.finished
    assert store.lead(mql).stage == Stage.SAL
    assert todays_scores.scores_are_current(store)
    assert shown_is_explained(store, all_ids(store))
    assert as_a_rescore_now_would_store(store)  # the demo request counted
    assert_totals_exact(store)  # the leads scored again included


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(score_staging, "STORE_BATCH", 40)


def test_while_the_scores_are_stored_each_lead_shows_the_score_it_explains(store,
                                                                           small_batches,
                                                                           monkeypatch):
    rescore = Paused(store)
    monkeypatch.setattr(score_staging, "sleep", rescore.pause)  # after the first batch
    ids = all_ids(store)
    rescore.start()
    moments = store.score_moments(ids)
    assert set(moments) == {day_start(MONTHS_AGO), day_start(SUITE_NOW)}  # part way
    assert shown_is_explained(store, ids)
    new, old = moments[day_start(SUITE_NOW)][-1], moments[day_start(MONTHS_AGO)][0]
    for lead_id in new, old:  # each rescored as of its own moment
        triage.record_activity(store, lead_id, ActivityKind.PRICING_REQUEST,
                               at=day_start(MONTHS_AGO))
    assert shown_is_explained(store, [new, old])
    triage.move_lead(store, first_mql(store), Stage.SAL)
    rescore.finish()
    assert rescore.error is None and rescore.report.finished
    assert store.score_moments(ids) == {day_start(SUITE_NOW): ids}
    assert shown_is_explained(store, ids)
    assert as_a_rescore_now_would_store(store)


def test_a_rescore_stopped_while_storing_is_finished_by_the_next(store, small_batches,
                                                                 monkeypatch):
    def killed(_seconds):
        raise KeyboardInterrupt  # as if the program ended here

    monkeypatch.setattr(score_staging, "sleep", killed)
    with pytest.raises(KeyboardInterrupt):
        todays_scores.bring_scores_up_to_date(store)
    ids = all_ids(store)
    assert len(store.score_moments(ids)) == 2  # the first batch stored, the rest not yet
    assert not todays_scores.scores_are_current(store)
    assert shown_is_explained(store, ids)
    monkeypatch.setattr(score_staging, "sleep", lambda _seconds: None)
    assert todays_scores.bring_scores_up_to_date(store).finished
    assert todays_scores.scores_are_current(store)
    assert store.score_moments(ids) == {day_start(SUITE_NOW): ids}
    assert shown_is_explained(store, ids)
    assert as_a_rescore_now_would_store(store)


def test_leads_reaching_the_threshold_are_looked_up_by_id_not_read_once_each(store):
    """The promotion reads the list of leads to move once, each lead by its id: through the
    stage and score index SQLite read the whole list once per lead at the threshold, which
    made a demo of a million leads take four minutes."""
    statements = []
    with db.write_connection(store.engine) as conn:
        raw = conn.connection.driver_connection
        raw.set_trace_callback(statements.append)
        lead = raw.execute("SELECT id FROM leads WHERE stage = 'lead' LIMIT 1").fetchone()[0]
        score_staging.ScoreWriter(raw).promote({lead: MONTHS_AGO}, threshold=0)
        raw.set_trace_callback(None)
        [select] = [s for s in statements if s.startswith("INSERT INTO temp.promoted")]
        plan = " / ".join(row[3] for row in raw.execute(
            "EXPLAIN QUERY PLAN " + select.removeprefix("INSERT INTO temp.promoted ")))
        conn.rollback()
    assert "SEARCH l USING INTEGER PRIMARY KEY" in plan and "ix_leads_stage_score" not in plan, plan
