"""Routing rules: territory, round robin within a group, caps, the pool, and coverage."""

import pytest

from workbench.rules.criteria import DEFAULT_CRITERIA, Criteria
from workbench.rules.refusals import BadInput
from workbench.rules.routing import RoutingRule, route, uncovered

DACH = RoutingRule("DACH", ("jo@x.io", "mo@x.io"), countries=("DE", "AT", "CH"), cap=2)
SOFTWARE = RoutingRule("US software", ("al@x.io",), countries=("US",),
                       industries=("Software",))
REPS = {"jo@x.io", "mo@x.io", "al@x.io"}


def test_the_first_rule_covering_the_territory_takes_it_round_robin_within_its_cap():
    leads = [(1, "DE", "Retail", "1-10"), (2, "AT", None, None), (3, "US", "Software", "5001+"),
             (4, "CH", "Software", None), (5, "DE", None, None), (6, "FR", "Software", None),
             (7, "US", "Retail", None)]
    routed = route(leads, (DACH, SOFTWARE), {"mo@x.io": 1}, REPS)
    assert [(r.lead_id, r.rep) for r in routed] == [
        (1, "jo@x.io"), (2, "mo@x.io"), (3, "al@x.io"), (4, "jo@x.io"), (5, None), (6, None),
        (7, None)]
    assert routed[4].why == "every rep of 'DACH' holds 2 open MQLs (its cap)"
    assert routed[5].why == "no routing rule covers it" and routed[2].rule == "US software"


def test_equal_reps_take_turns_and_a_deactivated_rep_takes_none():
    leads = [(i, "DE", None, None) for i in range(1, 7)]
    open_group = RoutingRule("DACH", ("jo@x.io", "mo@x.io", "al@x.io"), countries=("DE",))
    assert [r.rep for r in route(leads, (open_group,), {}, REPS)] == \
        ["jo@x.io", "mo@x.io", "al@x.io"] * 2
    assert {r.rep for r in route(leads, (open_group,), {}, {"mo@x.io"})} == {"mo@x.io"}
    alone = RoutingRule("DACH", ("gone@x.io",), countries=("DE",))
    assert route(leads[:1], (alone,), {}, REPS)[0].why == "'DACH' has no active rep"


def test_territories_no_rule_covers_are_found_and_no_rules_cover_nothing_to_warn_about():
    territories = [("DE", "Software", "1-10"), ("US", "Software", None), ("US", "Retail", None)]
    assert uncovered((DACH, SOFTWARE), territories) == [("US", "Retail", None)]
    assert uncovered((), territories) == []


def test_routing_rules_are_part_of_the_criteria_and_checked():
    data = {**DEFAULT_CRITERIA.to_dict(),
            "routing": [{"label": "DACH", "reps": ["jo@x.io"], "countries": ["DE"], "cap": 5}]}
    assert Criteria.from_dict(data).routing == (
        RoutingRule("DACH", ("jo@x.io",), countries=("DE",), cap=5),)
    for rule, message in (({"label": "X", "reps": []}, "names no reps"),
                          ({"label": "X", "reps": ["jo"]}, "reps are emails"),
                          ({"label": "X", "reps": ["a@b.c"], "cap": 0}, "cap must be"),
                          ({"label": "X", "reps": ["a@b.c"], "region": "EU"}, "unknown field")):
        with pytest.raises(BadInput, match=message):
            Criteria.from_dict({**data, "routing": [rule]})
    with pytest.raises(BadInput, match="Two routing rules have the same label"):
        Criteria.from_dict({**data, "routing": data["routing"] * 2})
