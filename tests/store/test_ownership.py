"""Ownership on a laptop: the team server's rules where the laptop knows who acts. A rep
changes their own leads and the pool, a manager any lead and the criteria; nothing is
reassigned as a side effect."""

import pytest

from workbench import cli
from workbench.rules.criteria import DEFAULT_CRITERIA
from workbench.rules.refusals import NotAllowed
from workbench.rules.stages import Stage
from workbench.services import triage


@pytest.fixture
def team(store):
    ana = store.add_user("Ana Rep", "ana@sales.example")
    ben = store.add_user("Ben Rep", "ben@sales.example")
    dana = store.add_user("Dana Boss", "dana@sales.example", role="manager")
    bens = store.add_lead(first_name="Bo", last_name="Owned", stage=Stage.MQL, owner_id=ben)
    pool = store.add_lead(first_name="Pia", last_name="Pool", stage=Stage.MQL)
    return {"ana": ana, "ben": ben, "dana": dana, "bens": bens, "pool": pool}


def history(store, lead_id):
    return [(c.to_stage, c.user_id) for c in store.stage_history(lead_id)]


@pytest.mark.parametrize("action", [
    lambda store, t: triage.accept(store, t["bens"], by=t["ana"]),
    lambda store, t: triage.reject(store, t["bens"], "no_budget", by=t["ana"]),
    lambda store, t: triage.recycle(store, t["bens"], "bad_timing", by=t["ana"]),
    lambda store, t: triage.move_lead(store, t["bens"], Stage.SAL, by=t["ana"]),  # a drag
    lambda store, t: triage.set_bant(store, t["bens"], "need", "confirmed", by=t["ana"]),
])
def test_a_rep_cannot_change_another_reps_lead(store, team, action):
    before = (store.lead(team["bens"]), history(store, team["bens"]), store.bant(team["bens"]))
    with pytest.raises(NotAllowed, match="Bo Owned is Ben Rep's lead"):
        action(store, team)
    after = (store.lead(team["bens"]), history(store, team["bens"]), store.bant(team["bens"]))
    assert after == before


def test_accepting_takes_a_pool_lead_but_never_reassigns_an_owned_one(store, team):
    triage.accept(store, team["pool"], by=team["ana"])
    assert store.lead(team["pool"]).owner_id == team["ana"]
    triage.accept(store, team["bens"], by=team["dana"])  # the manager accepts Ben's MQL
    assert store.lead(team["bens"]).owner_id == team["ben"]
    assert store.lead(team["bens"]).stage == Stage.SAL
    triage.move_lead(store, team["bens"], Stage.DISQUALIFIED, by=team["ben"],
                       reason_code="no_budget")  # the owner himself


def test_only_a_manager_saves_the_teams_criteria(store, team):
    with pytest.raises(NotAllowed, match="Only a manager"):
        triage.save_criteria(store, DEFAULT_CRITERIA, by=team["ana"])
    assert store.criteria_versions() == []
    assert triage.save_criteria(store, DEFAULT_CRITERIA, by=team["dana"]).version == 1


def test_the_cli_refuses_a_reps_move_of_another_reps_lead_in_one_line(store, team, capsys):
    argv = ["lead", "accept", str(team["bens"]), "--db", str(store.path),
            "--as", "ana@sales.example"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Ben Rep's lead" in err
    assert store.lead(team["bens"]).stage == Stage.MQL


def test_setting_a_bant_item_to_what_it_is_records_nothing(store, team):
    assert triage.set_bant(store, team["pool"], "need", "confirmed", "pain", by=team["ana"])
    activities = len(store.lead_detail(team["pool"]).activities)
    assert not triage.set_bant(store, team["pool"], "need", "confirmed", "pain")
    assert len(store.lead_detail(team["pool"]).activities) == activities
