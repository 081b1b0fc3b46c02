"""Scores as of a day: one score per lead at any moment, the same on the card, in its
explanation, in the queue and in exports, however long ago the database was scored."""

import csv
import json
from datetime import timedelta

import pytest

from tests.conftest import SUITE_NOW
from tests.store.conftest import MONTHS_AGO
from tests.test_cli import run_process
from workbench.clock import day_start
from workbench.rules.stages import Stage
from workbench.services import scoring, todays_scores, triage
from workbench.store.leads import BoardFilter, Store


@pytest.fixture
def old_copy(old_demo, tmp_path):
    path = tmp_path / "old.db"
    path.write_bytes(old_demo.read_bytes())
    return path


def stored_and_explained(store, stage=Stage.MQL, limit=20):
    criteria = store.current_criteria()
    cards = store.board_page(stage, BoardFilter(), limit=limit)
    return [((c.score, c.grade), (r.total, r.grade))
            for c in cards for r in [scoring.explain(store, criteria, c.id)]]


def test_the_explanation_is_of_the_stored_score_until_the_day_is_brought_up_to_date(
        old_copy):
    with Store.open(old_copy) as store:
        assert store.scores_state()[0] == day_start(MONTHS_AGO)
        assert not todays_scores.scores_are_current(store)
        before = stored_and_explained(store)
        assert all(stored == explained for stored, explained in before)

        report = todays_scores.bring_scores_up_to_date(store)
        assert report.changed > 0 and store.scores_state()[0] == day_start(SUITE_NOW)
        after = stored_and_explained(store)
        assert all(stored == explained for stored, explained in after)
        assert [s for s, _ in after] != [s for s, _ in before]  # two months of decay
        assert todays_scores.bring_scores_up_to_date(store) is None  # once a day


def test_a_lead_that_decays_below_the_threshold_stays_an_mql(old_copy):
    with Store.open(old_copy) as store:
        threshold = store.current_criteria().mql_threshold
        mqls = {c.id for c in store.board_page(Stage.MQL, BoardFilter(), limit=1000)}
        todays_scores.bring_scores_up_to_date(store)
        decayed = [c for c in store.board_page(Stage.MQL, BoardFilter(), limit=1000)
                   if c.score < threshold]
        assert decayed and {c.id for c in decayed} <= mqls
        assert {c.id for c in store.board_page(Stage.MQL, BoardFilter(), limit=1000)} >= mqls


def test_the_next_day_brings_every_score_to_its_start(demo_db, tmp_path, monkeypatch):
    copy = tmp_path / "next.db"
    copy.write_bytes(demo_db.read_bytes())
    with Store.open(copy) as store:
        assert todays_scores.bring_scores_up_to_date(store) is None  # made today
        monkeypatch.setenv("WORKBENCH_NOW", (SUITE_NOW + timedelta(days=1)).isoformat())
        assert not todays_scores.scores_are_current(store)
        report = todays_scores.bring_scores_up_to_date(store)
        assert report.finished and report.changed > 0 and report.promoted == 0
        assert store.scores_state()[0] == day_start(SUITE_NOW + timedelta(days=1))
        assert all(s == e for s, e in stored_and_explained(store, Stage.SQL))


def test_rescoring_one_lead_scores_it_as_of_the_others(old_copy):
    with Store.open(old_copy) as store:
        lead_id = store.board_page(Stage.MQL, BoardFilter(), limit=1)[0].id
        triage.record_activity(store, lead_id, "page_view", page_kind="pricing",
                                 at=MONTHS_AGO - timedelta(days=3))
        assert store.scores_state()[0] == day_start(MONTHS_AGO)  # still the database's day
        card = next(c for c in store.board_page(Stage.MQL, BoardFilter(), limit=1000)
                    if c.id == lead_id)
        assert card.score == scoring.explain(store, store.current_criteria(), lead_id).total


def test_commands_that_show_scores_bring_them_up_to_date_first(old_copy, tmp_path):
    result = run_process("queue", "--db", old_copy, "--json")
    assert result.returncode == 0, result.stderr
    assert "scores brought up to date for today" in result.stderr
    queue = json.loads(result.stdout)
    shown = run_process("lead", "show", str(queue[0]["id"]), "--db", old_copy, "--json")
    lead = json.loads(shown.stdout)
    assert lead["score"]["total"] == queue[0]["score"]
    assert shown.stderr == ""  # already done today
    out = tmp_path / "leads.csv"
    assert run_process("export", "--db", old_copy, "--out", out).returncode == 0
    with out.open(newline="", encoding="utf-8-sig") as f:
        [row] = [r for r in csv.DictReader(f) if r["Email"] == lead["email"]]
    assert int(row["Score"]) == lead["score"]["total"]


def test_new_criteria_that_score_alike_leave_the_scores_standing(demo_db, tmp_path):
    copy = tmp_path / "criteria.db"
    copy.write_bytes(demo_db.read_bytes())
    with Store.open(copy) as store:
        criteria = store.current_criteria()
        triage.save_criteria(store, criteria.with_changes(sla_hours=48))
        assert todays_scores.scores_are_current(store)  # the SLA scores nothing
        triage.save_criteria(store, criteria.with_changes(half_life_days=10))
        assert not todays_scores.scores_are_current(store)
        assert todays_scores.bring_scores_up_to_date(store).changed > 0
