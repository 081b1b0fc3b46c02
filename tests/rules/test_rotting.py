"""Rotting: an open lead nobody has touched for the days its stage allows is stale."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.criteria import DEFAULT_CRITERIA, Criteria
from workbench.rules.refusals import BadInput
from workbench.rules.rotting import Rotting, is_stale, stale_cutoffs, stale_since
from workbench.rules.stages import Stage

NOW = datetime(2026, 12, 6, 12)
DAY = timedelta(days=1)


DEFAULT_ROTTING = Rotting()


def cutoff(stage: Stage, rotting: Rotting = DEFAULT_ROTTING) -> datetime | None:
    return dict(stale_cutoffs(rotting, NOW)).get(stage)


def test_a_lead_is_stale_once_its_stage_days_pass_without_a_touch():
    sal = cutoff(Stage.SAL)  # 14 days by default
    assert sal == NOW - 14 * DAY
    assert is_stale(Stage.SAL, NOW - 15 * DAY, None, sal)
    assert not is_stale(Stage.SAL, NOW - 14 * DAY, None, sal)  # exactly at the cutoff
    assert is_stale(Stage.SAL, NOW - 30 * DAY, NOW - 14 * DAY - timedelta(microseconds=1), sal)
    assert not is_stale(Stage.SAL, NOW - 30 * DAY, NOW - 3 * DAY, sal)  # touched lately


def test_entering_a_stage_starts_its_days_afresh():
    assert not is_stale(Stage.SQL, NOW - 2 * DAY, NOW - 90 * DAY, cutoff(Stage.SQL))


def test_stages_that_do_not_rot():
    # the MQL has its follow-up SLA; closed stages are never stale
    assert cutoff(Stage.MQL) is None
    for stage in (Stage.LEAD, Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED):
        assert cutoff(stage) is None
        assert stale_since(stage, NOW - 400 * DAY, None, Rotting(), NOW) is None
    assert cutoff(Stage.MQL, Rotting(mql=3)) == NOW - 3 * DAY
    assert cutoff(Stage.SAL, Rotting(sal=0)) is None


def test_stale_since_says_when_the_lead_went_stale():
    assert stale_since(Stage.OPPORTUNITY, NOW - 60 * DAY, NOW - 40 * DAY, Rotting(),
                       NOW) == NOW - 10 * DAY
    assert stale_since(Stage.OPPORTUNITY, NOW - 60 * DAY, NOW - DAY, Rotting(), NOW) is None


def test_the_criteria_carry_rotting_by_stage():
    criteria = Criteria.from_dict({**DEFAULT_CRITERIA.to_dict(),
                                   "rotting": {"sal": 7, "opportunity": 0}})
    assert criteria.rotting == Rotting(sal=7, opportunity=0)
    assert Criteria.from_dict(criteria.to_dict()).rotting == criteria.rotting
    assert not criteria.scores_differently(DEFAULT_CRITERIA)  # no score changes
    assert DEFAULT_CRITERIA.rotting == Rotting()


@pytest.mark.parametrize(("rotting", "problem"), [
    ({"sal": -1}, "rotting.sal must be from 0 to 3650"),
    ({"sql": 2.5}, "rotting.sql must be a whole number"),
    ({"opportunity": "soon"}, "rotting.opportunity must be a number"),
    ({"customer": 5}, "unknown field"),
    (14, "unknown field"),
])
def test_bad_rotting_is_refused(rotting, problem):
    with pytest.raises(BadInput, match=problem):
        Criteria.from_dict({"rotting": rotting}, complete=False)
