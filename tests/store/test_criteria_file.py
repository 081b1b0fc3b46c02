"""Sharing criteria as TOML: a round trip, and broken files refused with their line."""

import json
import re
from datetime import datetime

import pytest

from workbench.files.criteria_file import CriteriaFileError, export_criteria, read_criteria
from workbench.rules.criteria import DEFAULT_CRITERIA
from workbench.rules.refusals import Refused
from workbench.store.tables import CriteriaVersion


@pytest.fixture
def exported(tmp_path):
    path = tmp_path / "criteria.toml"
    export_criteria(DEFAULT_CRITERIA, path, None)
    return path


def test_export_then_import_gives_the_same_criteria(exported, store):
    assert read_criteria(exported) == DEFAULT_CRITERIA
    saved = store.save_criteria(read_criteria(exported), note="from marketing")
    assert saved.version == 1 and store.current_criteria() == saved


def edit(path, old, new, count=1):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def line_of(path, text, occurrence=1):
    lines = path.read_text().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    return hits[occurrence - 1]


def test_a_toml_syntax_error_names_its_line(exported):
    edit(exported, "mql_threshold = 55", "mql_threshold = = 55")
    with pytest.raises(CriteriaFileError, match=r"line 4: is not valid TOML") as refused:
        read_criteria(exported)
    assert refused.value.line == 4 and "Nothing was changed" in str(refused.value)


def test_an_unknown_field_in_the_third_fit_rule_names_that_rule(exported):
    edit(exported, 'field = "seniority"', 'field = "shoe_size"', 3)  # first three rules
    with pytest.raises(CriteriaFileError, match="unknown field 'shoe_size'") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, "[[fit_rules]]", 1)


def test_points_that_are_not_a_number(exported):
    edit(exported, "points = 30", 'points = "thirty"')
    with pytest.raises(CriteriaFileError, match="points must be a number") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, "[[engagement_rules]]", 1)


def test_an_unknown_setting_and_a_bad_journey_step(exported, tmp_path):
    text = exported.read_text()
    exported.write_text("colour = \"red\"\n" + text)
    with pytest.raises(CriteriaFileError, match="line 1: Unknown criteria setting: colour"):
        read_criteria(exported)
    exported.write_text(text.replace('stage = "evaluation"', 'stage = "delight"', 1))
    with pytest.raises(CriteriaFileError, match="unknown stage 'delight'") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, 'stage = "delight"')


def test_rules_that_clash_are_refused_whole(exported):
    edit(exported, 'label = "Manager"', 'label = "Director or head of a team"')
    with pytest.raises(CriteriaFileError, match="same label"):
        read_criteria(exported)


def test_an_unreadable_file(tmp_path):
    path = tmp_path / "criteria.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CriteriaFileError, match="cannot be read"):
        read_criteria(path)
    with pytest.raises(CriteriaFileError, match="cannot be read"):
        read_criteria(tmp_path / "missing.toml")


def test_a_bad_reason_code_names_its_line(exported):
    edit(exported, '{ code = "bad_timing", label = "Bad timing" }',
         '{ code = "Bad Timing", label = "Bad timing" }')
    with pytest.raises(CriteriaFileError, match="a code is 1-40 lowercase") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, '"Bad Timing"')


@pytest.mark.parametrize(("old", "new", "reason", "where"), [
    ("half_life_days = 30", "half_life_days = nan", "half_life_days must be a number, not nan",
     "half_life_days"),
    ("mql_threshold = 55", "mql_threshold = -5", "mql_threshold must be from 1 to 1000, not -5",
     "mql_threshold"),
    ("recycle_days = 90", "recycle_days = 99999999",
     "recycle_days must be from 1 to 3650, not 1e+08", "recycle_days"),
    ("recycle_days = 90", "recycle_days = 2.5", "recycle_days must be a whole number",
     "recycle_days"),
    ("sla_hours = 24", "sla_hours = -inf", "sla_hours must be a number, not -inf", "sla_hours"),
    ("points = 30", "points = 1e20", "points must be from -100 to 100, not 1e+20",
     "[[engagement_rules]]"),
    ("cap = 30", "cap = inf", "cap must be a number, not inf", "[[engagement_rules]]"),
    ("min_count = 2", "min_count = -1", "min_count must be from 1 to 1000, not -1",
     "min_count = -1"),
    ("    40,", "    1e300,", "fit_grades must be from -1000 to 1000, not 1e+300", "fit_grades"),
])
def test_a_number_out_of_its_range_is_refused_with_its_line(exported, old, new, reason, where):
    edit(exported, old, new)
    with pytest.raises(CriteriaFileError, match=re.escape(reason)) as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, where)


@pytest.mark.parametrize("text", ["", "# nothing here\n", "mql_threshold = 60\n",
                                  "fit_rules = []\nengagement_rules = []\n"])
def test_a_file_without_rules_is_refused(tmp_path, text):
    path = tmp_path / "criteria.toml"
    path.write_text(text)
    with pytest.raises(CriteriaFileError, match="no scoring rules: every score would be 0"):
        read_criteria(path)


def test_criteria_saved_before_ranges_existed_are_refused_until_corrected(store, exported):
    with store.writing() as s:  # as an older workbench (or a synced laptop) saved them
        s.add(CriteriaVersion(created_at=datetime(2026, 1, 1), body=json.dumps(
            {**DEFAULT_CRITERIA.to_dict(), "half_life_days": float("nan")})))
    with pytest.raises(Refused, match=r"criteria \(version 1\) cannot be used: "
                                         "half_life_days must be a number, not nan"):
        store.current_criteria()
    store.save_criteria(read_criteria(exported))
    assert store.current_criteria().half_life_days == 30


def test_shared_views_travel_in_the_criteria_file_and_a_broken_one_names_its_line(
        exported, store):
    text = exported.read_text()
    exported.write_text(text + '\n[[views]]\nname = "Overdue MQLs"\nsort = "time_in_stage"\n'
                        'stages = ["mql"]\n[views.filters]\noverdue = true\n')
    criteria = read_criteria(exported)
    assert [(v.name, dict(v.filters), v.stages) for v in criteria.views] == [
        ("Overdue MQLs", {"overdue": True}, ("mql",))]
    saved = store.save_criteria(criteria, note="views for the team")
    assert store.current_criteria().views == saved.views == criteria.views
    again = exported.parent / "again.toml"
    export_criteria(store.current_criteria(), again, None)  # a manager's export keeps them
    assert read_criteria(again).views == criteria.views
    edit(exported, 'sort = "time_in_stage"', 'sort = "newest"')
    with pytest.raises(CriteriaFileError, match="sort must be one of") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, "[[views]]")
