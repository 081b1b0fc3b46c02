"""BANT qualification: the SQL rule, its validation, and BANT items as typed."""

import pytest

from workbench.rules.qualification import SqlRule, evaluate, parse_item
from workbench.rules.refusals import BadInput


@pytest.mark.parametrize(("bant", "qualified", "missing"), [
    ({"need": "confirmed", "budget": "confirmed", "authority": "partial"}, True, ""),
    ({"need": "partial", "budget": "confirmed", "authority": "confirmed"}, False,
     "need must be confirmed (it is partial)"),
    ({"need": "confirmed", "budget": "confirmed"}, False,
     "3 of the 4 items must be confirmed or partial (2 are; still open: authority, timeline)"),
    ({"need": "confirmed", "budget": "confirmed", "authority": "confirmed",
      "timeline": "failed"}, False, "no item may have failed (timeline failed)"),
])
def test_the_default_sql_rule(bant, qualified, missing):
    result = evaluate(bant, SqlRule())
    assert result.qualified is qualified and result.explain() == missing


def test_bant_items_parse_with_clear_errors():
    assert parse_item('budget=confirmed:50k EUR') == ("budget", "confirmed", "50k EUR")
    assert parse_item("NEED=partial") == ("need", "partial", None)
    with pytest.raises(BadInput, match="ITEM one of budget"):
        parse_item("money=confirmed")
    with pytest.raises(BadInput, match="status must be one of"):
        parse_item("need=maybe")


@pytest.mark.parametrize(("rule", "problem"), [
    (SqlRule(confirmed=("money",)), "unknown BANT item money"),
    (SqlRule(min_positive=5), "min_positive must be a whole number from 0 to 4"),
    (SqlRule(min_positive=True), "min_positive must be a whole number from 0 to 4"),
])
def test_a_broken_sql_rule_is_refused(rule, problem):
    with pytest.raises(BadInput, match=problem):
        rule.validate()


def test_a_rule_without_conditions_qualifies_any_checklist():
    assert evaluate({}, SqlRule(confirmed=(), min_positive=0, none_failed=False)).qualified
