"""Stage moves through the store: one audit row per move, in one transaction."""

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date, datetime

import pytest

from workbench.rules.refusals import BadInput, NotFound
from workbench.rules.stages import MoveRefused, Stage
from workbench.store.leads import Store


@pytest.fixture
def lead_id(store):
    return store.add_lead(first_name="Grace", last_name="Hopper", email="grace@example.com",
                          stage=Stage.LEAD, at=datetime(2026, 11, 1, 9))


def test_a_new_lead_has_a_first_audit_row(store, lead_id):
    [first] = store.stage_history(lead_id)
    assert (first.from_stage, first.to_stage) == (None, Stage.LEAD)


def test_each_move_writes_exactly_one_stage_change(store, lead_id):
    rep = store.add_user("Alex Morgan", "Alex.Morgan@sales.example")
    store.move_lead(lead_id, Stage.MQL, at=datetime(2026, 11, 2, 9))
    store.move_lead(lead_id, Stage.SAL, by=rep, at=datetime(2026, 11, 2, 15))
    change = store.move_lead(lead_id, Stage.RECYCLED, by=rep, reason_code="not_ready",
                             note="Budget opens in Q2", revisit_on=date(2027, 2, 1),
                             at=datetime(2026, 11, 3, 10))
    history = store.stage_history(lead_id)
    assert [(h.from_stage, h.to_stage) for h in history] == [
        (None, Stage.LEAD), (Stage.LEAD, Stage.MQL), (Stage.MQL, Stage.SAL),
        (Stage.SAL, Stage.RECYCLED)]
    assert history[-1] == change
    assert (change.user_id, change.reason_code, change.note) == (rep, "not_ready",
                                                                  "Budget opens in Q2")
    lead = store.lead(lead_id)
    assert lead.stage == history[-1].to_stage == Stage.RECYCLED
    assert lead.revisit_on == date(2027, 2, 1)
    assert lead.mql_at == datetime(2026, 11, 2, 9)
    assert lead.stage_entered_at == datetime(2026, 11, 3, 10)


def test_a_refused_move_changes_nothing(store, lead_id):
    with pytest.raises(MoveRefused, match="from Lead to Customer"):
        store.move_lead(lead_id, Stage.CUSTOMER)
    assert store.lead(lead_id).stage == Stage.LEAD
    assert len(store.stage_history(lead_id)) == 1


def test_a_move_that_fails_half_way_is_rolled_back_whole(store, lead_id):
    # the audit row names a user that does not exist: the insert fails after the
    # stage update, and neither may survive (the move runs on SQLite's driver)
    with pytest.raises(sqlite3.IntegrityError):
        store.move_lead(lead_id, Stage.MQL, by=999)
    assert store.lead(lead_id).stage == Stage.LEAD
    assert len(store.stage_history(lead_id)) == 1


def test_reject_and_recycle_need_a_reason_from_the_catalogue(store, lead_id):
    store.move_lead(lead_id, Stage.MQL)
    with pytest.raises(BadInput,
                       match="needs a reject reason, one of: no_budget, not_decision_maker"):
        store.move_lead(lead_id, Stage.DISQUALIFIED)
    with pytest.raises(BadInput, match="needs a recycle reason"):
        store.move_lead(lead_id, Stage.RECYCLED, reason_code="competitor",
                        revisit_on=date(2027, 1, 1))
    with pytest.raises(BadInput, match="date to look at it again"):
        store.move_lead(lead_id, Stage.RECYCLED, reason_code="not_ready")
    assert store.lead(lead_id).stage == Stage.MQL
    assert len(store.stage_history(lead_id)) == 2
    store.move_lead(lead_id, Stage.DISQUALIFIED, reason_code="competitor")
    assert store.lead(lead_id).stage == Stage.DISQUALIFIED


def test_moving_a_missing_lead_says_so(store):
    with pytest.raises(NotFound, match="no lead with id 404"):
        store.move_lead(404, Stage.MQL)


CRASH_AFTER_COMMIT = """
import os, signal, sys
from workbench.store.leads import Store
store = Store.open(sys.argv[1])
store.move_lead(int(sys.argv[2]), "mql")
os.kill(os.getpid(), signal.SIGKILL)  # no clean shutdown, no checkpoint
"""


def test_a_committed_move_survives_the_process_being_killed(tmp_path):
    path = tmp_path / "crash.db"
    with Store.open(path) as store:
        lead_id = store.add_lead(first_name="Ada", last_name="Byron")
    result = subprocess.run([sys.executable, "-c", CRASH_AFTER_COMMIT, str(path), str(lead_id)],
                            capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert os.path.exists(f"{path}-wal")  # the move lives in the WAL, not yet checkpointed
    with Store.open(path) as store:
        assert store.lead(lead_id).stage == Stage.MQL
        assert [h.to_stage for h in store.stage_history(lead_id)] == [Stage.LEAD, Stage.MQL]
