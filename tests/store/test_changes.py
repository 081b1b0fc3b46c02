"""What the services say they changed: the window refreshes its views by it, the board
adjusting its counts by the leads that moved."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.refusals import BadInput, NotFound
from workbench.rules.stages import Stage
from workbench.services import conflicts, duplicates, triage
from workbench.services.changes import NOTHING, Changes
from workbench.services.export import ExportCancelled, export_leads

NOW = datetime(2026, 11, 23, 12)  # the suite's clock


@pytest.fixture
def reps(store):
    return {name: store.add_user(name.capitalize(), f"{name}@sales.example")
            for name in ("ana", "ben")}


def test_a_move_says_what_the_lead_left(store, reps):
    late = store.add_lead(first_name="Late", last_name="Pool", stage=Stage.MQL,
                          at=NOW - timedelta(hours=30))  # past the 24 hour SLA
    fresh = store.add_lead(first_name="Fresh", last_name="Bens", stage=Stage.MQL,
                           owner_id=reps["ben"], at=NOW - timedelta(hours=2))
    move = triage.accept(store, late, by=reps["ana"])
    assert (move.lead_id, move.from_stage, move.to_stage) == (late, Stage.MQL, Stage.SAL)
    assert move.was_overdue and move.left_queue  # the pool is in everyone's queue
    assert move.before.owner_id is None and store.lead(late).owner_id == reps["ana"]
    assert not move.restores and move.changes == Changes(moves=(move,))
    other = triage.reject(store, fresh, "no_budget")  # by no one named: not ana's queue
    assert not other.was_overdue and other.left_queue is False
    undone = triage.undo_move(store, move, by=reps["ana"])
    assert undone.restores and (undone.from_stage, undone.to_stage) == (Stage.SAL, Stage.MQL)
    assert store.lead(late).owner_id is None


def test_notes_and_bant_change_the_lead_shown_and_nothing_unchanged(store, reps):
    lead = store.add_lead(first_name="Noted", last_name="Lead", stage=Stage.SQL)
    assert triage.add_note(store, lead, "Call back Monday") == Changes(details=frozenset({lead}))
    with pytest.raises(BadInput, match="needs some text"):
        triage.add_note(store, lead, "  ")
    changed = triage.set_bant(store, lead, "need", "confirmed", "pain")
    assert changed and changed.touched() == {lead}
    assert triage.set_bant(store, lead, "need", "confirmed", "pain") == NOTHING
    assert not NOTHING and (NOTHING | changed) == changed


def test_a_merge_reads_every_list_again(store):
    keep = store.add_lead(first_name="Dup", last_name="One", email="dup@twice.example")
    other = store.add_lead(first_name="Dup", last_name="Two", email="dup@twice.example")
    changes = duplicates.merge(store, keep, other)
    assert changes.leads and changes.touched() == {keep}
    assert store.count_leads() == 1
    with pytest.raises(BadInput, match="cannot be merged with itself"):
        duplicates.merge(store, keep, keep)
    with pytest.raises(NotFound):
        duplicates.merge(store, keep, other)  # the other is gone


def test_resolving_an_unknown_conflict_is_refused(store):
    with pytest.raises(NotFound, match="no stage conflict 7"):
        conflicts.resolve(store, 7, Stage.SAL)


def test_a_cancelled_export_writes_no_file(store, tmp_path, monkeypatch):
    monkeypatch.setattr("workbench.services.export.PROGRESS_EVERY", 2)
    for n in range(5):
        store.add_lead(first_name=f"Lead{n}", last_name="X", stage=Stage.MQL)
    out = tmp_path / "out"
    out.mkdir()
    target, seen = out / "leads.csv", []
    with pytest.raises(ExportCancelled, match="no file was written"):
        export_leads(store, target, progress=lambda done, total: seen.append((done, total)),
                     cancelled=lambda: len(seen) == 2)
    assert seen == [(0, 5), (2, 5)]
    assert list(out.iterdir()) == []  # neither the file nor a partial one
    assert export_leads(store, target, progress=lambda *_: None) == 5
