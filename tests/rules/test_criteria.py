"""The team criteria: every number in its range, and rules that say what they are."""

import math

import pytest

from workbench.rules.criteria import (
    DEFAULT_CRITERIA,
    RANGES,
    Criteria,
    EngagementRule,
    FitRule,
    JourneyStep,
)
from workbench.rules.refusals import BadInput
from workbench.rules.rotting import Rotting

# each setting, and how a value of it is put into criteria
SETTINGS = {
    "mql_threshold": lambda v: {"mql_threshold": v},
    "sla_hours": lambda v: {"sla_hours": v},
    "half_life_days": lambda v: {"half_life_days": v},
    "journey_window_days": lambda v: {"journey_window_days": v},
    "recycle_days": lambda v: {"recycle_days": v},
    "grades": lambda v: {"fit_grades": (1000, 999, v)} if v < 999 else
    {"fit_grades": (v, -999, -1000)},
    "points": lambda v: {"engagement_rules": (EngagementRule("Demo", "demo_request", v),)},
    "cap": lambda v: {"engagement_rules": (EngagementRule("Demo", "demo_request", 5, cap=v),)},
    "min_count": lambda v: {"journey": (JourneyStep("intent", "demo_request", min_count=v),)},
    "rotting": lambda v: {"rotting": Rotting(sal=v)},
}


def test_every_range_is_checked():
    assert set(SETTINGS) == set(RANGES)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_both_ends_of_a_range_are_allowed_and_beyond_them_refused(name):
    low, high = RANGES[name].low, RANGES[name].high
    for value in (low, high):
        DEFAULT_CRITERIA.with_changes(**SETTINGS[name](value))
    for value in (low - 1, high + 1, math.nan, math.inf, -math.inf):
        with pytest.raises(BadInput, match="must be"):
            DEFAULT_CRITERIA.with_changes(**SETTINGS[name](value))


@pytest.mark.parametrize("name", [n for n in sorted(RANGES) if RANGES[n].whole])
def test_a_whole_number_setting_refuses_a_fraction(name):
    with pytest.raises(BadInput, match="must be a whole number"):
        DEFAULT_CRITERIA.with_changes(**SETTINGS[name](RANGES[name].low + 0.5))


@pytest.mark.parametrize(("data", "problem"), [
    ({"colour": "red"}, "Unknown criteria setting: colour"),
    ({"fit_rules": [{"label": "x", "field": "salary", "values": ["1"], "points": 1}]},
     "unknown field 'salary'"),
    ({"fit_rules": [{"label": "x", "field": "seniority", "values": ["vp"], "points": 1,
                     "match": "like"}]}, "match must be equals, contains, ends_with or between"),
    ({"fit_rules": [{"label": "x", "field": "seniority", "points": 1}]},
     "incomplete or has an unknown field"),
    ({"fit_rules": [{"label": "x", "field": "seniority", "values": [], "points": 1}]},
     "has no values"),
    ({"engagement_rules": [{"label": "x", "kind": "demo_request", "points": 1}] * 2},
     "same label"),
    ({"journey": [{"stage": "delight", "kind": "demo_request"}],
      "engagement_rules": [{"label": "x", "kind": "demo_request", "points": 1}]},
     "unknown stage 'delight'"),
    ({"fit_grades": [10, 20, 30], "engagement_rules": [{"label": "x", "kind": "demo_request",
                                                         "points": 1}]},
     "three thresholds, highest first"),
    ({}, "no scoring rules"),
])
def test_criteria_that_cannot_score_are_refused(data, problem):
    with pytest.raises(BadInput, match=problem):
        Criteria.from_dict(data)


def test_the_default_criteria_survive_a_round_trip():
    assert Criteria.from_dict(DEFAULT_CRITERIA.to_dict()) == DEFAULT_CRITERIA


def test_a_part_of_the_criteria_is_checked_alone():
    assert Criteria.from_dict({"mql_threshold": 40}, complete=False).mql_threshold == 40


def test_fit_rules_fit_in_a_64_bit_mask():
    rules = tuple(FitRule(f"r{i}", "seniority", ("vp",), 1) for i in range(63))
    with pytest.raises(BadInput, match="At most 62 fit rules"):
        DEFAULT_CRITERIA.with_changes(fit_rules=rules)
