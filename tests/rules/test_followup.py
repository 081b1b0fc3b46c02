"""Touches: what can happen to each kind, and never ahead of time."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.followup import OUTCOMES, Outcome, TouchKind, check_touch, touch_kind
from workbench.rules.refusals import BadInput
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
