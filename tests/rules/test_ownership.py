"""Who may change what, and whose queue a lead is in."""

import pytest

from workbench.rules.ownership import (
    Person,
    check_criteria_change,
    check_lead_change,
    in_queue,
    new_owner_on_accept,
)
from workbench.rules.refusals import NotAllowed
from workbench.rules.stages import Stage

ANA, BEN = Person(1, "Ana Rep", "rep"), Person(2, "Ben Rep", "rep")
DANA = Person(3, "Dana Boss", "manager")


def test_a_rep_changes_their_own_leads_and_the_pool_only():
    check_lead_change(ANA, "Bo", ANA)
    check_lead_change(ANA, "Bo", None)
    check_lead_change(DANA, "Bo", BEN)  # a manager changes any lead
    check_lead_change(None, "Bo", BEN)  # nobody named: the team server checks
    with pytest.raises(NotAllowed, match="Bo is Ben Rep's lead: only Ben Rep or a manager"):
        check_lead_change(ANA, "Bo", BEN)


def test_only_a_manager_changes_the_criteria():
    check_criteria_change(DANA)
    check_criteria_change(None)
    with pytest.raises(NotAllowed, match="Only a manager .* Ana Rep is a rep"):
        check_criteria_change(ANA)


def test_accepting_from_the_pool_takes_the_lead_and_never_reassigns_one():
    assert new_owner_on_accept(ANA, None) == ANA.id
    assert new_owner_on_accept(ANA, BEN) is None
    assert new_owner_on_accept(None, None) is None


@pytest.mark.parametrize(("stage", "owner", "me", "queued"), [
    (Stage.MQL, None, 1, True), (Stage.MQL, 1, 1, True), (Stage.MQL, 2, 1, False),
    (Stage.MQL, None, None, True), (Stage.MQL, 1, None, False), (Stage.SAL, 1, 1, False),
    (Stage.SAL, None, None, False), ("mql", 1, 1, True)])
def test_the_queue_holds_my_mqls_and_the_pool(stage, owner, me, queued):
    assert in_queue(stage, owner, me) is queued


def test_a_lead_not_to_be_contacted_is_in_no_queue():
    assert not in_queue(Stage.MQL, None, 1, do_not_contact=True)
    assert not in_queue(Stage.MQL, 1, 1, do_not_contact=True)
