"""Touches: what can happen to each kind, and never ahead of time."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.followup import (
    OUTCOMES,
    Outcome,
    TodayItem,
    TodayReason,
    TouchKind,
    check_next_step,
    check_touch,
    today_order,
    touch_kind,
)
from workbench.rules.refusals import BadInput
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import SLA_TOUCHES

NOW = datetime(2026, 12, 6, 15, 0)


def test_every_touch_kind_is_a_touch_that_answers_the_sla():
    assert {kind.activity for kind in TouchKind} == SLA_TOUCHES


@pytest.mark.parametrize(("kind", "outcome"), [(kind, outcome) for kind, outcomes
                                               in OUTCOMES.items() for outcome in outcomes])
def test_each_kind_takes_its_outcomes(kind, outcome):
    assert check_touch(kind, outcome.value, NOW, NOW) == outcome


def test_an_outcome_that_cannot_happen_to_the_kind_is_refused_with_the_choices():
    with pytest.raises(BadInput, match="A call is connected, no_answer or left_message, "
                                       "not 'bounced'"):
        check_touch(TouchKind.CALL, Outcome.BOUNCED.value, NOW, NOW)
    with pytest.raises(BadInput, match="call, an email or a meeting, not 'fax'"):
        touch_kind("fax")


def test_a_touch_in_the_future_is_refused_even_by_a_minute():
    check_touch(TouchKind.EMAIL, "replied", NOW - timedelta(days=3), NOW)
    with pytest.raises(BadInput, match="in the future. Plan it as the next step"):
        check_touch(TouchKind.EMAIL, "replied", NOW + timedelta(minutes=1), NOW)


def item(lead_id, due, reason=TodayReason.NEXT_STEP):
    return TodayItem(lead_id, f"Lead {lead_id}", None, Stage.MQL, reason, None, due, None)


def test_today_is_one_list_by_due_time_each_lead_once_the_unplanned_last():
    early, late = NOW - timedelta(days=2), NOW + timedelta(hours=3)
    ordered = today_order([
        item(3, None, TodayReason.NO_NEXT_STEP), item(1, late), item(2, early, TodayReason.SLA),
        item(1, early - timedelta(hours=1), TodayReason.SLA), item(4, late)])
    assert [(i.lead_id, i.reason) for i in ordered] == [
        (1, TodayReason.SLA), (2, TodayReason.SLA), (4, TodayReason.NEXT_STEP),
        (3, TodayReason.NO_NEXT_STEP)]
    assert [i.overdue(NOW) for i in ordered] == [True, True, False, False]


def test_a_next_step_is_planned_on_an_open_lead_only():
    check_next_step(Stage.SAL, "Mia")
    with pytest.raises(BadInput, match="Mia is Disqualified: a next step is planned on an "
                                       "open lead"):
        check_next_step(Stage.DISQUALIFIED, "Mia")
